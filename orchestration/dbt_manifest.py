"""dbt's manifest, which ``@dbt_assets`` reads when the definitions are imported."""

from __future__ import annotations

import os

from dagster_dbt import DbtCliResource

from assets.dbt_project import DBT_PROJECT, dbt_executable
from assets.resources import dbt_env_for


def prepare_manifest(database_url: str) -> None:
    """Parse the dbt project (no database needed) so the definitions can load."""
    os.environ.update(dbt_env_for(database_url))
    dbt = DbtCliResource(project_dir=DBT_PROJECT, dbt_executable=dbt_executable())
    dbt.cli(["parse", "--quiet"], target_path=DBT_PROJECT.target_path).wait()
