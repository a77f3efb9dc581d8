"""The messaging schema: what touchpoint decided, rendered, sent and heard back.

- ``messaging.occurrences``: every trigger occurrence a campaign has judged, with its one
  outcome (docs/architecture.md, Outcomes). Decisions insert; dispatch moves
  ``queued``/``deferred`` on to ``sent``, ``failed``, ``expired`` or ``in_doubt``.
- ``messaging.outbox``: a rendered message per occurrence that is to be sent, unique on
  (campaign, occurrence key) so a rerun can never add a second one.
- ``messaging.vouchers``: the unique codes handed out, with value and expiry.
- ``messaging.message_events``: every send, failure and reaction (docs/architecture.md,
  Responses).
- ``messaging.campaigns``: the campaign catalog (conversion window, holdout) for measurement.

The tables are defined by the Alembic revisions in ``warehouse/migrations/versions``, and
``messaging.alembic_version`` records the one a datamart is at. The datamart reads these
tables as dbt sources, so every entry point migrates before its first step.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import psycopg
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, create_engine, text
from sqlalchemy.pool import NullPool

ALEMBIC_INI = Path(__file__).parent / "migrations" / "alembic.ini"
_LOCK = "select pg_advisory_xact_lock(hashtext('touchpoint.messaging_schema'))"


@dataclass(frozen=True)
class Migration:
    """The revision a datamart was at (None: unversioned, new or made before migrations) and
    the one it is at now."""

    before: str | None
    after: str


def migrate_messaging(url: str) -> Migration:
    """Bring the messaging schema to the newest revision; safe to call before every step.

    Every process that writes the schema calls this first, so several may start at once: the
    advisory lock makes the others wait for the first, then find nothing left to do.
    """
    engine = create_engine(
        "postgresql+psycopg://", creator=lambda: psycopg.connect(url), poolclass=NullPool
    )
    try:
        with engine.begin() as connection:
            connection.execute(text(_LOCK))
            before = _revision(connection)
            if before != head_revision():
                _upgrade(connection)
            return Migration(before, _revision(connection))
    finally:
        engine.dispose()


@cache
def head_revision() -> str:
    """The newest revision in the package."""
    return ScriptDirectory.from_config(Config(ALEMBIC_INI)).get_current_head()


def _upgrade(connection: Connection) -> None:
    config = Config(ALEMBIC_INI)
    config.attributes["connection"] = connection
    command.upgrade(config, "head")


def _revision(connection: Connection) -> str | None:
    context = MigrationContext.configure(connection, opts={"version_table_schema": "messaging"})
    return context.get_current_revision()
