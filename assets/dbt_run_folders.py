"""Pruning the per-run dbt target folders.

dagster-dbt gives every dbt invocation a target folder of its own,
``dbt_project/target/<step>-<run id>-<hash>``, holding its manifest, ``run_results.json``,
compiled SQL and ``dbt.log``. Nothing reads one once its step is over, but the newest few are
what an engineer opens to see why a model failed; so the datamart step keeps the
``KEPT_RUN_FOLDERS`` newest of its own and deletes the older ones after each build, once its
own artifacts have been read.
"""

import contextlib
import shutil
from pathlib import Path

KEPT_RUN_FOLDERS = 5


def prune_run_folders(target: Path, step: str, keep: int = KEPT_RUN_FOLDERS) -> list[Path]:
    """Delete all but the ``keep`` most recently written ``<step>-*`` folders under ``target``;
    return the deleted ones. Anything else in ``target`` is left alone."""
    folders = sorted(
        (folder for folder in target.glob(f"{step}-*") if folder.is_dir()),
        key=lambda folder: folder.stat().st_mtime,
        reverse=True,
    )
    for folder in folders[keep:]:
        _remove(folder)
    return folders[keep:]


def _remove(folder: Path) -> None:
    """Two builds finishing together may prune the same folder; the second finds it gone."""
    with contextlib.suppress(FileNotFoundError):
        shutil.rmtree(folder)
