"""Journeys: their versions, the enrolments that walk them, every step taken, and the winners
experiments chose (docs/journeys.md, "How journeys run").

- ``journey_versions``: each version of each journey as it was loaded, so a customer in flight
  advances on the spec of the version they entered even after the YAML changed.
- ``journey_enrolments``: one row per customer per entry, with the step they are at. Times are
  the journey's own clock: ``arrived_at`` is when the customer reached the step as the journey
  counts it (a wait that ended at 10:00 is left at 10:00 even if the run came at 11:00), so a
  journey advanced late takes the same path as one advanced on time. ``message_keys`` maps each
  message step to the occurrence key of its latest message, for the branches that ask about it.
  At most one active enrolment per customer and journey; an entry (``entry_key``) enrols once.
- ``journey_transitions``: every move, step to step, with the run's as-of that made it.
- ``journey_experiment_winners``: the variant an experiment with ``winner: auto`` settled on,
  with the evidence; the step's later recipients all get it.

Enrolments and transitions have no foreign keys, for the speed of moves: every move writes an
enrolment and inserts a transition, a million of each when a million customers leave a wait, and
PostgreSQL checked each key row by row with a lock on the row referred to (25 s of a 115 s
advance of 1 M enrolments). The engine keeps what they would guard by construction: it records
a version before enrolling anyone in it, inserts each transition in the statement that moves its
enrolment, and deletes neither versions nor enrolments.

For the same reason no index of enrolments holds a column a move changes (the step, its times,
the message keys): a move then rewrites the row on its own page without touching any index (a
HOT update), if the page has room. Half of each page is kept free for it (``fillfactor``): the
customers of a page enrolled together and tend to move together. The statements find a
journey's enrolments through ``journey_enrolments_active_version`` and filter the step.
Transitions have one index, their key ``(enrolment_id, transition_id)``: an enrolment's moves in
order, as ``touchpoint journey show`` reads them.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-30
"""

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

_DDL = """
create table messaging.journey_versions (
    journey text not null,
    version text not null,
    spec jsonb not null,
    first_seen_at timestamptz not null default now(),
    primary key (journey, version)
);

create table messaging.journey_enrolments (
    enrolment_id bigint generated always as identity primary key,
    journey text not null,
    version text not null,
    customer_id text not null,
    entry_key text not null,
    entered_at timestamptz not null,
    time_zone text not null,
    context jsonb not null default '{}',
    step text not null,
    arrived_at timestamptz not null,
    due_at timestamptz,
    message_keys jsonb not null default '{}',
    status text not null default 'active'
        check (status in ('active', 'completed', 'exited', 'expired')),
    reason text,
    ended_at timestamptz,
    enrolled_as_of timestamptz not null,
    recorded_at timestamptz not null default now(),
    unique (journey, entry_key)
) with (fillfactor = 50);
create unique index journey_enrolments_one_active
    on messaging.journey_enrolments (journey, customer_id) where status = 'active';
create index journey_enrolments_active_version
    on messaging.journey_enrolments (journey, version) where status = 'active';

create table messaging.journey_transitions (
    transition_id bigint generated always as identity,
    enrolment_id bigint not null,
    from_step text,
    to_step text,
    moved_at timestamptz not null,
    reason text,
    as_of timestamptz not null,
    recorded_at timestamptz not null default now(),
    primary key (enrolment_id, transition_id)
);

create table messaging.journey_experiment_winners (
    journey text not null,
    version text not null,
    step text not null,
    variant text not null,
    decided_at timestamptz not null,
    evidence jsonb not null,
    primary key (journey, version, step),
    foreign key (journey, version) references messaging.journey_versions
);
"""


def upgrade() -> None:
    op.execute(_DDL)
