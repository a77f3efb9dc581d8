"""Message events found by when they were recorded: a BRIN index on
``messaging.message_events.recorded_at``. The datamart's incremental
``int_message_events_deduplicated`` adds, at each build, the events recorded since the newest it
holds (dbt_project/README.md, Incremental facts); without an index every build read the whole
table for them. Events are only ever appended, so the table's order follows ``recorded_at`` and
a BRIN index (a few bytes per megabyte of table) leads straight to the new pages, at no cost to
the dispatcher and the tracking service that insert events.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30
"""

from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        "create index message_events_recorded_at on messaging.message_events"
        " using brin (recorded_at) with (autosummarize = on)"
    )
