"""dbt's manifest, which ``@dbt_assets`` reads when the definitions are imported."""

from __future__ import annotations

import os
import subprocess

from assets.dbt_project import DBT_PROJECT, dbt_executable
from assets.resources import dbt_env_for


class DbtParseError(RuntimeError):
    """dbt could not parse the project: a model, macro or YAML file is wrong."""


def prepare_manifest(database_url: str) -> None:
    """Parse the dbt project (no database needed) so the definitions can load.

    A plain ``dbt parse``: going through ``DbtCliResource`` would first run ``dbt --version`` and
    set up a dbt adapter in this process, seconds of every run, UI start and preview that a
    parse has no use for. dbt's connection variables go to dbt's process only.
    """
    target = DBT_PROJECT.project_dir / DBT_PROJECT.target_path
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
            str(target),
            "--log-path",
            str(target),
        ],
        env={**os.environ, **dbt_env_for(database_url), "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"},
        capture_output=True,
        text=True,
    )
    if parsed.returncode != 0:
        raise DbtParseError(f"dbt could not parse {DBT_PROJECT.project_dir}:\n{parsed.stdout}")
