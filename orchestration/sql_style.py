"""sqlfluff over the dbt project, with the datamart up: ``python -m orchestration.sql_style
lint|fix [paths]`` (``make lint``, ``make fmt``).

sqlfluff's dbt templater compiles each model with dbt itself, and dbt's PostgreSQL adapter
connects to fill its relation cache before compiling anything, even though no macro here queries
the database. So the embedded server (or ``TOUCHPOINT_DATABASE_URL``) is kept up for the run and
its address handed to dbt's profile, exactly as a build does.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from assets.resources import dbt_env_for
from orchestration.database import datamart_available
from orchestration.settings import load_settings

DBT_SQL = ["dbt_project/models", "dbt_project/snapshots", "dbt_project/tests"]


def sqlfluff_command(action: str, paths: list[str]) -> list[str]:
    """The sqlfluff command line: ``lint`` reports, ``fix`` rewrites what it safely can."""
    if action not in ("lint", "fix"):
        raise ValueError(f"sql_style: the action must be lint or fix, got {action!r}")
    sqlfluff = Path(sys.executable).with_name("sqlfluff")
    return [str(sqlfluff), action, *(paths or DBT_SQL)]


def main(argv: list[str] | None = None) -> int:
    action, *paths = argv if argv is not None else sys.argv[1:] or ["lint"]
    command = sqlfluff_command(action, paths)
    with datamart_available(load_settings()) as url:
        return subprocess.run(command, env={**os.environ, **dbt_env_for(url)}).returncode


if __name__ == "__main__":
    sys.exit(main())
