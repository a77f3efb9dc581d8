"""dbt's manifest, which ``@dbt_assets`` reads when the definitions are imported."""

from __future__ import annotations

from assets.dbt_project import DBT_PROJECT
from assets.resources import datamart_dbt


def prepare_manifest(database_url: str) -> None:
    """Parse the dbt project (no database needed) so the definitions can load."""
    datamart_dbt(database_url).cli(["parse", "--quiet"], target_path=DBT_PROJECT.target_path).wait()
