"""The datamart step keeps the newest per-run dbt target folders and deletes the older ones."""

import inspect
import os
from pathlib import Path

from assets.dbt_run_folders import prune_run_folders


def run_folder(target: Path, name: str, written_at: int) -> Path:
    folder = target / name
    folder.mkdir(parents=True)
    (folder / "run_results.json").write_text("{}")
    os.utime(folder, (written_at, written_at))
    return folder


def test_only_the_newest_run_folders_of_the_step_are_kept(tmp_path):
    folders = [run_folder(tmp_path, f"datamart-run{i}-abc{i}", 1_000 + i) for i in range(7)]

    deleted = prune_run_folders(tmp_path, "datamart", keep=5)

    assert sorted(deleted) == sorted(folders[:2])
    assert sorted(p for p in tmp_path.iterdir()) == sorted(folders[2:])


def test_other_steps_folders_and_dbts_own_files_are_left_alone(tmp_path):
    (tmp_path / "partial_parse.msgpack").write_text("")
    (tmp_path / "manifest.json").write_text("{}")
    other = run_folder(tmp_path, "preview-run1-abc1", 1)
    old = run_folder(tmp_path, "datamart-run1-abc1", 2)
    kept = run_folder(tmp_path, "datamart-run2-abc2", 3)

    prune_run_folders(tmp_path, "datamart", keep=1)

    assert not old.exists()
    assert kept.exists() and other.exists()
    assert (tmp_path / "partial_parse.msgpack").exists() and (tmp_path / "manifest.json").exists()


def test_fewer_folders_than_kept_deletes_nothing(tmp_path):
    folders = [run_folder(tmp_path, f"datamart-run{i}-abc{i}", i) for i in range(3)]

    assert prune_run_folders(tmp_path, "datamart", keep=5) == []
    assert all(folder.exists() for folder in folders)


def test_the_datamart_step_prunes_its_run_folders_after_reading_its_failures(dbt_manifest):
    from assets import datamart  # needs the manifest at import

    source = inspect.getsource(datamart.datamart.op.compute_fn.decorated_fn)

    assert "prune_run_folders(invocation.target_path.parent, DBT_STEP)" in source
    assert source.index("_build_failure(invocation)") < source.index("prune_run_folders(")
