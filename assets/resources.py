"""Resources the assets use: the datamart's PostgreSQL and dbt on it, the landing zone, the CRM
database, the provider event queue.

Values come from the orchestration layer (which reads the environment); assets only use them.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from functools import cached_property
from importlib.metadata import version
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import boto3
import psycopg
from dagster import ConfigurableResource
from dagster_dbt import DbtCliInvocation, DbtCliResource
from packaging.version import Version

from assets.dbt_project import AS_OF_VARIABLE, DBT_PROJECT, dbt_executable
from assets.landing_zone import LandingZone, landing_zone_at


class Warehouse(ConfigurableResource):
    """The marketing datamart: a PostgreSQL URL (``postgresql://user:pass@host:port/db``, or
    ``postgresql://user@host:port/db?passfile=PATH`` with the password in a libpq password file).
    """

    url: str

    def connect(self, autocommit: bool = True) -> psycopg.Connection:
        return psycopg.connect(self.url, autocommit=autocommit)


class DatamartDbt(DbtCliResource):
    """dbt on ``warehouse``. profiles.yml reads the connection through env_var()
    (``dbt_env_for``), the as_of() macro the run's instant (``as_of``); ``DbtCliResource.cli``
    takes no environment of its own but hands dbt's process the environment of the moment it is
    called. So these variables are there for the call only, and the environment is as it was
    once the process has started: nothing else in the process sees them.

    dbt runs in its own process only. ``DbtCliResource`` would first run ``dbt --version`` in
    another process and set up a dbt adapter in this one (loading the project, the profile and
    dbt's macros): seconds of every dbt step, for row counts and column metadata we never fetch.
    """

    warehouse: Warehouse

    def cli(
        self, args: Sequence[str], *, as_of: str | None = None, **kwargs: Any
    ) -> DbtCliInvocation:
        variables = dbt_env_for(self.warehouse.url) | ({AS_OF_VARIABLE: as_of} if as_of else {})
        with _environment_including(variables):
            return super().cli(args, **kwargs)

    @cached_property
    def _cli_version(self) -> Version:
        """The installed dbt-core's, which ``dbt_executable()`` runs."""
        return Version(version("dbt-core"))

    def _initialize_dbt_core_adapter(self, args: Sequence[str]) -> None:
        return None


def datamart_dbt(warehouse_url: str) -> DatamartDbt:
    """The project's dbt, run by the interpreter's own, on the datamart at ``warehouse_url``."""
    return DatamartDbt(
        project_dir=DBT_PROJECT,
        dbt_executable=dbt_executable(),
        warehouse=Warehouse(url=warehouse_url),
    )


@contextmanager
def _environment_including(variables: Mapping[str, str]) -> Iterator[None]:
    saved = {name: os.environ.get(name) for name in variables}
    os.environ.update(variables)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def dbt_env_for(url: str) -> dict[str, str]:
    """The variables dbt's profiles.yml reads through env_var(), from the datamart's URL."""
    parts = urlsplit(url)
    return {
        "TOUCHPOINT_DB_HOST": parts.hostname or "127.0.0.1",
        "TOUCHPOINT_DB_PORT": str(parts.port or 5432),
        "TOUCHPOINT_DB_USER": unquote(parts.username or "postgres"),
        "TOUCHPOINT_DB_PASSWORD": unquote(parts.password or "") or _passfile_password(parts.query),
        "TOUCHPOINT_DB_NAME": parts.path.lstrip("/") or "postgres",
    }


def _passfile_password(query: str) -> str:
    """The password in the ``passfile`` a URL names (dbt's profile takes no passfile): the last
    field of its first entry, as the embedded server writes it. The file appears when the
    server first starts; before that there is no password to give."""
    passfile = Path(parse_qs(query).get("passfile", [""])[0])
    if not passfile.is_file():
        return ""
    entries = [line for line in passfile.read_text().splitlines() if line.strip()]
    return entries[0].rsplit(":", 1)[1] if entries else ""


class LandingZoneResource(ConfigurableResource):
    """Where source files land: a folder or ``s3://bucket/prefix``."""

    location: str

    def zone(self) -> LandingZone:
        return landing_zone_at(self.location)


class CrmDatabase(ConfigurableResource):
    """A CRM kept in a database, read through SQLAlchemy; an empty URL means there is none."""

    url: str = ""

    @property
    def configured(self) -> bool:
        return bool(self.url)


class ProviderEventQueue(ConfigurableResource):
    """The SQS queue the SES configuration set's events arrive on (``TOUCHPOINT_EVENTS_QUEUE_URL``).

    boto3 finds the endpoint, region and credentials in its own environment (``AWS_ENDPOINT_URL``,
    ``AWS_ENDPOINT_URL_SQS``, …), as the senders do. Receives and deletes are safe to repeat, so
    the client keeps boto3's retries.
    """

    url: str

    def client(self) -> Any:
        """A client of its own for the caller, who closes it."""
        return boto3.session.Session().client("sqs")

    def depth(self) -> int:
        """Messages a receive would get now (in-flight ones are not counted)."""
        client = self.client()
        try:
            answer = client.get_queue_attributes(
                QueueUrl=self.url, AttributeNames=["ApproximateNumberOfMessages"]
            )
        finally:
            client.close()
        return int(answer["Attributes"]["ApproximateNumberOfMessages"])
