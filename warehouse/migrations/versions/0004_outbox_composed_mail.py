"""Mails composed when they are rendered: ``messaging.outbox.composed_mail`` holds every byte
of an email but its ``Date`` (senders/email_composition.py), ``composed_by`` the composition
that made them. Dispatch then adds only the ``Date`` and sends, rather than composing the mail
on the send path. Both stay null for SMS, for a row no mail can be made of (dispatch records
why when it tries), and for rows rendered before this revision: dispatch composes those at send,
as it always did.

Half of each outbox page is kept free (``fillfactor``; pages written before this revision fill
up as they were), so a claim, which changes no indexed column, rewrites its row on its own page
without touching any index (a HOT update). On 20 k mails dispatched to smtp-sink the WAL fell
from 5.4 kB to 2.1 kB a mail; the dispatcher's server process spent 108–122 µs of CPU a mail
rather than 122–128 (2026-11-30, load 3.5–6.5).

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-30
"""

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        "alter table messaging.outbox add column composed_mail bytea, add column composed_by text;"
        "alter table messaging.outbox set (fillfactor = 50)"
    )
