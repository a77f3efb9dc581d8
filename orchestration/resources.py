"""Resources built from the settings, the one place that knows the embedded server exists."""

from __future__ import annotations

from dagster import InitResourceContext
from dagster_dbt import DbtCliResource

from assets.dbt_project import DBT_PROJECT, dbt_executable
from assets.resources import CrmDatabase, LandingZoneResource, Warehouse
from orchestration.database import database_url, ensure_embedded_running
from orchestration.settings import Settings, load_settings


class TouchpointWarehouse(Warehouse):
    """The datamart; when it is the embedded server, a run starts it if nobody else has.

    A server started this way keeps running after the run (a UI or daemon session owns it);
    ``touchpoint db stop`` stops it. ``touchpoint run`` and ``touchpoint ui`` start and stop it
    themselves.
    """

    uses_embedded: bool = False

    def setup_for_execution(self, context: InitResourceContext) -> None:
        if self.uses_embedded:
            ensure_embedded_running(load_settings())


def build_resources(settings: Settings) -> dict:
    return {
        "warehouse": TouchpointWarehouse(
            url=database_url(settings), uses_embedded=settings.uses_embedded_postgres
        ),
        "landing": LandingZoneResource(location=settings.landing),
        "crm": CrmDatabase(url=settings.crm_url or ""),
        "dbt": DbtCliResource(project_dir=DBT_PROJECT, dbt_executable=dbt_executable()),
    }
