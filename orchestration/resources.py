"""Resources built from the settings, the one place that knows the embedded server exists."""

from __future__ import annotations

from pathlib import Path

from dagster import InitResourceContext
from dagster_dbt import DbtCliResource

from assets.dbt_project import DBT_PROJECT, dbt_executable
from assets.resources import CrmDatabase, LandingZoneResource, Warehouse
from orchestration.database import database_url, ensure_running
from orchestration.embedded_postgres import EmbeddedPostgres
from orchestration.settings import Settings


class TouchpointWarehouse(Warehouse):
    """The datamart; when it is the embedded server, a run starts it if nobody else has.

    A server started this way keeps running after the run (a UI or daemon session owns it);
    ``touchpoint db stop`` stops it. ``touchpoint run`` and ``touchpoint ui`` start and stop it
    themselves.
    """

    embedded_pg_dir: str = ""

    def setup_for_execution(self, context: InitResourceContext) -> None:
        if self.embedded_pg_dir:
            ensure_running(EmbeddedPostgres(Path(self.embedded_pg_dir)))


def build_resources(settings: Settings) -> dict:
    return {
        "warehouse": TouchpointWarehouse(
            url=database_url(settings),
            embedded_pg_dir=str(settings.embedded_pg_dir)
            if settings.uses_embedded_postgres
            else "",
        ),
        "landing": LandingZoneResource(location=settings.landing),
        "crm": CrmDatabase(url=settings.crm_url or ""),
        "dbt": DbtCliResource(project_dir=DBT_PROJECT, dbt_executable=dbt_executable()),
    }
