"""Journeys: the enrolments and their transitions without foreign keys, for the speed of moves.

Every move the engine makes writes an enrolment and inserts a transition, a million of each
when a million customers leave a wait. PostgreSQL checks a foreign key row by row at the end of
the statement, with a key-share lock on the row referred to (a heap write and a WAL record of
its own): for ``journey_transitions.enrolment_id`` on every transition, and for
``journey_enrolments (journey, version)`` on every enrolment written a second time in the same
transaction (a wait, then a split). At 1 M enrolments those checks took 25 s of a 115 s advance
(bench section journeys, ``auto_explain.log_triggers``).

What the keys guarded, the engine keeps by construction: it records a version before enrolling
anyone in it, inserts each transition in the same statement that moves its enrolment, and
deletes neither versions nor enrolments. The unique and primary keys stay.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-30
"""

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

_DDL = """
alter table messaging.journey_transitions
    drop constraint if exists journey_transitions_enrolment_id_fkey;
alter table messaging.journey_enrolments
    drop constraint if exists journey_enrolments_journey_version_fkey;
"""


def upgrade() -> None:
    op.execute(_DDL)
