"""Resources the assets use: the datamart's PostgreSQL, the landing zone, the CRM database.

Values come from the orchestration layer (which reads the environment); assets only use them.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

import psycopg
from dagster import ConfigurableResource

from assets.landing_zone import LandingZone, landing_zone_at


class Warehouse(ConfigurableResource):
    """The marketing datamart: a PostgreSQL URL (``postgresql://user:pass@host:port/db``, or
    ``postgresql://user@host:port/db?passfile=PATH`` with the password in a libpq password file).
    """

    url: str

    def connect(self, autocommit: bool = True) -> psycopg.Connection:
        return psycopg.connect(self.url, autocommit=autocommit)

    def dbt_env(self) -> dict[str, str]:
        """The variables dbt's profiles.yml reads through env_var()."""
        return dbt_env_for(self.url)


def dbt_env_for(url: str) -> dict[str, str]:
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
