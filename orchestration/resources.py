"""Resources built from the settings, the one place that knows the embedded server exists.

No password is a resource's configured value: the Dagster UI, its GraphQL API and every run's
stored job snapshot show those. A database URL holding a password is configured as the
``EnvVar`` it came from (the UI shows the variable's name; the value is read when a run starts);
the embedded server's URL names its password file instead of holding the password.
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import urlsplit

from dagster import EnvVar, InitResourceContext
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

    embedded_home: str = ""

    def setup_for_execution(self, context: InitResourceContext) -> None:
        if self.embedded_home:
            ensure_running(EmbeddedPostgres(Path(self.embedded_home)))


def build_resources(settings: Settings) -> dict:
    return {
        "warehouse": _warehouse(settings),
        "landing": LandingZoneResource(location=settings.landing),
        "crm": CrmDatabase(url=_url_config("TOUCHPOINT_CRM_URL", settings.crm_url or "")),
        "dbt": DbtCliResource(project_dir=DBT_PROJECT, dbt_executable=dbt_executable()),
    }


def _warehouse(settings: Settings) -> TouchpointWarehouse:
    if settings.database_url:
        return TouchpointWarehouse(
            url=_url_config("TOUCHPOINT_DATABASE_URL", settings.database_url)
        )
    return TouchpointWarehouse(url=database_url(settings), embedded_home=str(settings.home))


def _url_config(variable: str, url: str) -> str | EnvVar:
    """``url`` as a resource's config. When it came from ``variable``, the config is that
    variable, whatever the URL holds (a password after the user, in the query string, inside a
    driver's own connection string), so Dagster shows its name and never its value. A URL built
    in code is taken as it is, and must hold no password."""
    if url and os.environ.get(variable, "").strip() == url:
        return EnvVar(variable)
    if urlsplit(url).password is not None:
        raise ValueError(
            f"a database URL with a password must come from {variable} in the environment, so "
            "that Dagster shows the variable's name rather than the password"
        )
    return url
