"""Resources built from the settings, the one place that knows the embedded server exists.

A setting's value is a resource's configured value, which the Dagster UI, its GraphQL API and
every run's stored job snapshot show. So a value that came from the environment is configured as
the ``EnvVar`` it came from: Dagster shows the variable's name and reads the value when a run
starts, and a password (a database or SMTP URL's, ``TOUCHPOINT_SECRET``) never shows. A value
given in code (a default, or a test's settings) is configured as it is and must hold no secret;
the embedded server's URL names its password file instead of holding the password.
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import urlsplit

from dagster import EnvVar, InitResourceContext

from assets.resources import CrmDatabase, LandingZoneResource, Warehouse, datamart_dbt
from orchestration.database import database_url, ensure_running
from orchestration.embedded_postgres import EmbeddedPostgres
from orchestration.sender_factory import Senders
from orchestration.settings import ENV_PREFIX, Settings, settings_from

SECRET_SETTINGS = frozenset({"secret"})
# Settings holding a URL, which may carry a password; given in code, it must carry none.
URL_SETTINGS = frozenset({"database_url", "crm_url", "smtp_url"})


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
    warehouse = _warehouse(settings)
    return {
        "warehouse": warehouse,
        "landing": LandingZoneResource(location=settings.landing),
        "crm": CrmDatabase(url=setting_config(settings, "crm_url") or ""),
        # The warehouse's URL again, for dbt's profile; the warehouse resource, which the dbt
        # step uses too, starts the embedded server.
        "dbt": datamart_dbt(warehouse.url),
        "senders": senders_resource(settings),
    }


def senders_resource(settings: Settings) -> Senders:
    return Senders(**{name: setting_config(settings, name) for name in Senders.model_fields})


def setting_config(settings: Settings, field: str) -> str | EnvVar | None:
    """The setting ``field`` as a resource's config (see the module's docstring): its variable
    as an ``EnvVar`` when the environment holds the value, else the value as text."""
    value = getattr(settings, field)
    if value is None:
        return None
    variable = ENV_PREFIX + field.upper()
    if _from_environment(variable, field, value):
        return EnvVar(variable)
    if field in SECRET_SETTINGS or (field in URL_SETTINGS and urlsplit(value).password):
        raise ValueError(
            f"{variable} holds a secret: it must come from the environment, so that Dagster "
            "shows the variable's name rather than the secret"
        )
    return str(value)


def _from_environment(variable: str, field: str, value: object) -> bool:
    """Whether ``variable`` is set and reads as ``value`` (a test may give other settings)."""
    text = os.environ.get(variable, "").strip()
    return bool(text) and getattr(settings_from({field: text}), field) == value


def _warehouse(settings: Settings) -> TouchpointWarehouse:
    if settings.database_url:
        return TouchpointWarehouse(url=setting_config(settings, "database_url"))
    return TouchpointWarehouse(url=database_url(settings), embedded_home=str(settings.home))
