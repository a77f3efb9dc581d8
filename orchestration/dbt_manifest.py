"""dbt's manifest, which ``@dbt_assets`` reads when the definitions are imported."""

from __future__ import annotations

import fcntl
import os
import shutil
import subprocess
from pathlib import Path

from assets.dbt_project import DBT_PROJECT, dbt_executable
from assets.resources import dbt_env_for

# What a parse leaves for others: the manifest the definitions read, and the partial parse that
# spares each dbt build a full parse.
PARSED = ("manifest.json", "partial_parse.msgpack")


class DbtParseError(RuntimeError):
    """dbt could not parse the project: a model, macro or YAML file is wrong."""


def prepare_manifest(database_url: str) -> None:
    """Parse the dbt project (no database needed) so the definitions can load.

    A plain ``dbt parse``: going through ``DbtCliResource`` would first run ``dbt --version`` and
    set up a dbt adapter in this process, seconds of every run, UI start and preview that a
    parse has no use for. dbt's connection variables go to dbt's process only.

    dbt writes its manifest in place, and another process of the checkout (a run, the UI) may be
    reading it: the parse goes to a folder of its own, one parse at a time, and what it leaves
    is swapped in whole.
    """
    target = DBT_PROJECT.project_dir / DBT_PROJECT.target_path
    parse_dir = target / "parse"
    parse_dir.mkdir(parents=True, exist_ok=True)
    with (parse_dir / "lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        _parse(database_url, parse_dir)
        for name in PARSED:
            staged = target / f".{os.getpid()}-{name}"
            shutil.copyfile(parse_dir / name, staged)
            os.replace(staged, target / name)


def _parse(database_url: str, parse_dir: Path) -> None:
    parsed = subprocess.run(
        [
            dbt_executable(),
            "parse",
            "--quiet",
            "--no-use-colors",
            "--project-dir",
            str(DBT_PROJECT.project_dir),
            "--profiles-dir",
            str(DBT_PROJECT.profiles_dir),
            "--target-path",
            str(parse_dir),
            "--log-path",
            str(parse_dir),
        ],
        env={**os.environ, **dbt_env_for(database_url), "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"},
        capture_output=True,
        text=True,
    )
    if parsed.returncode != 0:
        raise DbtParseError(f"dbt could not parse {DBT_PROJECT.project_dir}:\n{parsed.stdout}")
