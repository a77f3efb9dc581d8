"""The outbox as a work queue, with the state changes that make a send happen exactly once
(docs/architecture.md, Sending invariants: Exactly once).

A worker, present while it works (``assets.dispatch_workers``), *claims* a group of due rows
straight into ``sending`` (``FOR UPDATE SKIP LOCKED``: its id, a lease, the attempt counted)
just before it hands them to the provider, and records what the provider said about each
(``sent`` with its id, a retry, a failure) in the very statement that claims the next group:
one statement and one commit a group. Killed at any point, it leaves at most the one group it
last claimed ``sending`` — the rows the provider got (its answers not yet recorded) and the ones
it had not been handed yet alike — which become ``in_doubt`` at the next sweep after its session
ends (or, should it hang while connected, once its lease lapses) and are never resent silently:
a provider event about one later shows it was sent (``reconcile_in_doubt``), or an operator
decides (``in_doubt`` lists them). Rows never claimed are still ``queued`` for the next run.
Claims never overlap, so two workers can never both send a row.

Every step records its message events and moves the occurrences' outcomes along, in the same
statement as the outbox change.

The recipient's send window is checked when a group is claimed, just before its provider
calls: a row that comes due outside it (a retry's back-off, a slow rate limit, a late run)
waits for the window's next opening rather than going out at night.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from uuid import UUID

import psycopg
from psycopg.rows import dict_row
from psycopg.types.json import Jsonb

from assets.dispatch_workers import absent
from models.sms_replies import REPLY_CAMPAIGN

DEFAULT_LEASE = timedelta(minutes=5)
DEFAULT_IN_FLIGHT = 100

# A claim or a `sending` mark no longer holds once its lease lapsed or its worker is gone.
RELEASED = f"(lease_until < now() or {absent('claimed_by')})"

# The recipient's send window, checked at claim and again just before the provider call: a
# message judged inside it may come due outside it (a retry's back-off, a slow rate limit).
# Rows without a window (made before windows were kept) go out whenever they are due.
_LOCAL_TIME = "(now() at time zone time_zone)"
_IN_WINDOW = f"""(time_zone is null or (
    {_LOCAL_TIME}::time >= window_start and {_LOCAL_TIME}::time < window_end))"""

_REDEFER_OUTSIDE_WINDOW = f"""
with outside as (
    update messaging.outbox set
        send_after = case
            when {_LOCAL_TIME}::time < window_start
                then ({_LOCAL_TIME}::date + window_start) at time zone time_zone
            else ({_LOCAL_TIME}::date + 1 + window_start) at time zone time_zone
        end,
        claimed_by = null, lease_until = null
    where status = 'queued' and channel = %(channel)s and send_after <= now()
        and not {_IN_WINDOW}
    returning message_id, campaign, occurrence_key, send_after
),
occurrences as (
    update messaging.occurrences as o
    set outcome = 'deferred', reason = 'the send window closed before it went out',
        send_after = outside.send_after
    from outside
    where o.campaign = outside.campaign and o.occurrence_key = outside.occurrence_key
)
insert into messaging.message_events (message_id, type, occurred_at, detail)
select message_id, 'deferred', now(),
    jsonb_build_object('reason', 'outside the send window', 'send_after', send_after)
from outside
"""

# Consent can be withdrawn between the judgement and the send (an unsubscribe click, a STOP, a
# hard bounce): such rows are not sent. The suppressions view is dbt's (it reads the message
# events live); keyword replies (the STOP confirmation itself) are exempt.
_WITHDRAW_WITHOUT_CONSENT = """
with withdrawn as (
    update messaging.outbox as m
    set status = 'failed', claimed_by = null, lease_until = null,
        last_error = 'consent withdrawn before sending: ' || s.reason
    from intermediate.int_contact_suppressions as s
    where m.status = 'queued' and m.channel = %(channel)s and m.campaign <> %(exempt)s
        and s.customer_id = m.customer_id and s.channel = m.channel
    returning m.message_id, m.campaign, m.occurrence_key, m.last_error
),
occurrences as (
    update messaging.occurrences as o set outcome = 'no_consent', reason = withdrawn.last_error
    from withdrawn
    where o.campaign = withdrawn.campaign and o.occurrence_key = withdrawn.occurrence_key
)
insert into messaging.message_events (message_id, type, occurred_at, detail)
select message_id, 'failed', now(), jsonb_build_object('reason', last_error) from withdrawn
"""

_EXPIRE_LAPSED = """
with expired as (
    update messaging.outbox set status = 'expired', lease_until = null
    where status = 'queued' and (expires_at <= now() or send_after >= expires_at)
        and channel = %(channel)s
    returning campaign, occurrence_key
)
update messaging.occurrences as o set outcome = 'expired', reason = 'not sent before its expiry'
from expired
where o.campaign = expired.campaign and o.occurrence_key = expired.occurrence_key
"""

# A provider event about a message in doubt (delivered, bounced, opened, …) proves the provider
# took it: it was sent, once. Rows no event speaks for stay in doubt, for an operator.
_RECONCILE_IN_DOUBT = """
with confirmed as (
    update messaging.outbox as m
    set status = 'sent', sent_at = coalesce(m.sent_at, now()),
        last_error = 'in doubt, then confirmed by a provider event'
    where m.status = 'in_doubt' and m.channel = %(channel)s
        and exists (
            select 1 from messaging.message_events as e
            where e.message_id = m.message_id
                and e.type in ('delivered', 'bounced', 'complained', 'opened', 'clicked',
                               'unsubscribed', 'replied', 'survey_answered')
        )
    returning m.message_id, m.campaign, m.occurrence_key
),
occurrences as (
    update messaging.occurrences as o
    set outcome = 'sent', reason = 'confirmed by a provider event after being in doubt'
    from confirmed
    where o.campaign = confirmed.campaign and o.occurrence_key = confirmed.occurrence_key
)
insert into messaging.message_events (message_id, type, occurred_at, detail)
select message_id, 'sent', now(), '{"reconciled": true}'::jsonb from confirmed
returning message_id
"""

_IN_DOUBT_LIST = """
select message_id, campaign, customer_id, channel, recipient, created_at, attempts, last_error
from messaging.outbox where status = 'in_doubt' order by campaign, message_id
"""

_MARK_IN_DOUBT = f"""
with doubted as (
    update messaging.outbox set status = 'in_doubt',
        last_error = 'the worker sending it stopped (or hung) before recording the outcome'
    where status = 'sending' and {RELEASED} and channel = %(channel)s
    returning message_id, campaign, occurrence_key
),
occurrences as (
    update messaging.occurrences as o set outcome = 'in_doubt',
        reason = 'handed to the provider, outcome unknown: reconcile from provider events'
    from doubted
    where o.campaign = doubted.campaign and o.occurrence_key = doubted.occurrence_key
)
select message_id from doubted
"""

# What the provider said about a group of rows, as parallel arrays (one entry a row), and how
# each kind of answer is recorded: the row's status, the occurrence's outcome (none for a
# retry: the occurrence is still on its way), the event. Part of the statement that claims
# the next group, so a group's answers cost no round trip and no commit of their own.
_RECORD = """
with kinds (kind, status, outcome, event) as (values
    ('sent', 'sent', 'sent', 'sent'),
    ('retried', 'queued', null, 'deferred'),
    ('failed', 'failed', 'failed', 'failed'),
    ('opted_out', 'failed', 'failed', 'failed'),
    ('in_doubt', 'in_doubt', 'in_doubt', 'failed')
),
answered as (
    update messaging.outbox as m set
        status = k.status,
        provider_message_id = coalesce(a.provider_id, m.provider_message_id),
        sent_at = case when a.kind = 'sent' then now() else m.sent_at end,
        send_after = case when a.kind = 'retried' then now() + a.delay else m.send_after end,
        claimed_by = case when a.kind = 'retried' then null else m.claimed_by end,
        lease_until = null,
        last_error = a.reason
    from unnest(%(message_ids)b::uuid[], %(kinds)b::text[], %(reasons)b::text[],
            %(provider_ids)b::text[], %(delays)b::interval[])
        as a(message_id, kind, reason, provider_id, delay)
    join kinds as k on k.kind = a.kind
    where m.message_id = a.message_id
    returning m.message_id, m.campaign, m.occurrence_key, m.customer_id, m.channel, a.kind,
        a.reason, a.provider_id, a.delay, k.outcome, k.event
),
moved as (
    update messaging.occurrences as o set outcome = answered.outcome, reason = answered.reason
    from answered
    where answered.outcome is not null
        and o.campaign = answered.campaign and o.occurrence_key = answered.occurrence_key
),
recorded as (
    insert into messaging.message_events (message_id, customer_id, channel, type, occurred_at,
        detail)
    select message_id, null, null, event, now(), case kind
        when 'sent' then jsonb_build_object('provider_message_id', provider_id)
        when 'retried' then jsonb_build_object(
            'reason', reason, 'retry_in_s', extract(epoch from delay)::float8)
        when 'in_doubt' then jsonb_build_object('reason', reason, 'in_doubt', true)
        else jsonb_build_object('reason', reason)
    end
    from answered
    union all
    -- The provider says the number opted out: a consent event, seen by the next judgement.
    select message_id, customer_id, channel, 'opted_out', now(),
        jsonb_build_object('reason', reason, 'source', 'provider')
    from answered where kind = 'opted_out'
)
"""

# Oldest first, in the order of the `outbox_due` index, so PostgreSQL reads the index until it
# has the group instead of sorting every due row for each group. That needs its estimate of how
# many rows qualify to be close: the partition test (an expression it guesses at 0.5 %) is left
# out when there is one partition, which would make it expect a handful and sort them all.
# {partitioned} is one of the two fixed texts of claim(), never user input. A row still leased
# (claimed, not yet sending, by a dispatcher before claims went straight to `sending`) waits for
# its worker to go. Only the columns a sender reads come back.
_CLAIM = f"""{_RECORD},
due as (
    select message_id
    from messaging.outbox
    where status = 'queued'
        and channel = %(channel)s
        and send_after <= now()
        and expires_at > now()
        and (lease_until is null or {RELEASED})
        {{partitioned}}
        and {_IN_WINDOW}
    order by send_after
    limit %(limit)s
    for update skip locked
)
update messaging.outbox as m
set status = 'sending', attempts = m.attempts + 1, attempted_at = now(),
    claimed_by = %(worker)s, lease_until = now() + %(lease)s
from due
where m.message_id = due.message_id
returning m.message_id, m.campaign, m.occurrence_key, m.customer_id, m.channel, m.recipient,
    m.locale, m.subject, m.body_text, m.body_html, m.sms_text, m.headers, m.composed_mail,
    m.composed_by, m.attempts, coalesce((
        select o.marketing from messaging.occurrences as o
        where o.campaign = m.campaign and o.occurrence_key = m.occurrence_key
    ), true) as marketing
"""
_IN_PARTITION = "and mod(abs(hashtext(customer_id)), %(partitions)s) = %(partition)s"

_RECORD_ONLY = f"{_RECORD} select count(*) from answered"

# Rows a dispatcher would act on now: claimable, expired while queued, or released while
# sending.
_NEEDING_DISPATCH = f"""
select count(*) from messaging.outbox
where (status = 'queued' and (lease_until is null or {RELEASED})
        and (send_after <= now() or expires_at <= now()))
    or (status = 'sending' and {RELEASED})
"""

_RECORD_EVENT = """
insert into messaging.message_events (message_id, type, occurred_at, detail)
values (%(message_id)s, %(type)s, now(), %(detail)s)
"""


@dataclass(frozen=True)
class Claim:
    worker: str
    channel: str
    partition: int = 0
    partitions: int = 1
    lease: timedelta = DEFAULT_LEASE
    # Rows claimed into `sending` together and handed to the provider together: at most this
    # many are in doubt when the worker dies mid-send.
    in_flight: int = DEFAULT_IN_FLIGHT


@dataclass
class Answers:
    """What the provider said about each row of a group, as ``claim`` and ``record`` write it:
    one entry a row in each list."""

    message_ids: list[UUID] = field(default_factory=list)
    kinds: list[str] = field(default_factory=list)
    reasons: list[str | None] = field(default_factory=list)
    provider_ids: list[str | None] = field(default_factory=list)
    delays: list[timedelta | None] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.message_ids)

    def sent(self, message_id: UUID, provider_id: str) -> None:
        """Taken by the provider, under its id."""
        self._add(message_id, "sent", provider_id=provider_id)

    def retried(self, message_id: UUID, reason: str, delay: timedelta) -> None:
        """Surely not taken: ``queued`` again after ``delay``."""
        self._add(message_id, "retried", reason, delay=delay)

    def failed(self, message_id: UUID, reason: str) -> None:
        self._add(message_id, "failed", reason)

    def opted_out(self, message_id: UUID, reason: str) -> None:
        """Failed because the number opted out at the provider: an opt-out event besides."""
        self._add(message_id, "opted_out", reason)

    def in_doubt(self, message_id: UUID, reason: str) -> None:
        """The provider may have taken it (say, a timed-out response): never resent silently."""
        self._add(message_id, "in_doubt", reason)

    def _add(
        self,
        message_id: UUID,
        kind: str,
        reason: str | None = None,
        *,
        provider_id: str | None = None,
        delay: timedelta | None = None,
    ) -> None:
        self.message_ids.append(message_id)
        self.kinds.append(kind)
        self.reasons.append(reason)
        self.provider_ids.append(provider_id)
        self.delays.append(delay)

    def params(self) -> dict:
        return {
            "message_ids": self.message_ids,
            "kinds": self.kinds,
            "reasons": self.reasons,
            "provider_ids": self.provider_ids,
            "delays": self.delays,
        }


def sweep(conn: psycopg.Connection, channel: str) -> list[str]:
    """Rows whose recipient withdrew consent are not sent (``no_consent``); due rows outside
    their send window wait for its next opening; what can no longer go out before its expiry
    is expired; lapsed `sending` rows become `in_doubt` (their ids)."""
    with conn.transaction():
        if _suppressions_modelled(conn):
            conn.execute(_WITHDRAW_WITHOUT_CONSENT, {"channel": channel, "exempt": REPLY_CAMPAIGN})
        conn.execute(_REDEFER_OUTSIDE_WINDOW, {"channel": channel})
        conn.execute(_EXPIRE_LAPSED, {"channel": channel})
        rows = conn.execute(_MARK_IN_DOUBT, {"channel": channel}).fetchall()
        for (message_id,) in rows:
            _event(conn, message_id, "failed", {"in_doubt": True})
    return [str(message_id) for (message_id,) in rows]


def _suppressions_modelled(conn: psycopg.Connection) -> bool:
    """False before the first dbt build has made the view (nothing can be suppressed yet)."""
    found = conn.execute("select to_regclass('intermediate.int_contact_suppressions')")
    return found.fetchone()[0] is not None


def reconcile_in_doubt(conn: psycopg.Connection, channel: str) -> int:
    """Rows in doubt that a provider event shows were taken become ``sent``; how many."""
    with conn.transaction():
        return len(conn.execute(_RECONCILE_IN_DOUBT, {"channel": channel}).fetchall())


def in_doubt(conn: psycopg.Connection) -> list[dict]:
    """Every row still in doubt, for an operator to check with the provider."""
    with conn.cursor(row_factory=dict_row) as cursor:
        return cursor.execute(_IN_DOUBT_LIST).fetchall()


def needing_dispatch(conn: psycopg.Connection) -> int:
    """How many rows a dispatch run would send, expire or mark in doubt now (all channels)."""
    return conn.execute(_NEEDING_DISPATCH).fetchone()[0]


def claim(
    conn: psycopg.Connection, claim: Claim, size: int, answered: Answers | None = None
) -> list[dict]:
    """Up to ``size`` due rows for this worker, oldest first, straight into ``sending`` (their
    attempt counted): what it hands to the provider next. ``answered`` (the group before) is
    recorded in the same statement. Nobody else takes the rows while the worker is present
    (``dispatch_workers.present``) and its lease lasts; should the worker die, they are in
    doubt, so claim only what goes out now. Each row holds the columns of
    ``models.messages.OutboundMessage`` and ``attempts`` (this one included)."""
    params = (answered or Answers()).params() | {
        "worker": claim.worker,
        "channel": claim.channel,
        "partition": claim.partition,
        "partitions": claim.partitions,
        "limit": size,
        "lease": claim.lease,
    }
    statement = _CLAIM.format(partitioned=_IN_PARTITION if claim.partitions > 1 else "")
    with conn.cursor(row_factory=dict_row, binary=True) as cursor:
        return _run(cursor, statement, params).fetchall()


def record(conn: psycopg.Connection, answered: Answers) -> None:
    """``answered`` alone, in one statement; ``claim`` records them with the next group."""
    if answered:
        with conn.cursor() as cursor:
            _run(cursor, _RECORD_ONLY, answered.params())


def _run(cursor: psycopg.Cursor, statement: str, params: dict) -> psycopg.Cursor:
    """One statement commits by itself in autocommit mode; otherwise in a transaction here."""
    if cursor.connection.autocommit:
        return cursor.execute(statement, params)
    with cursor.connection.transaction():
        return cursor.execute(statement, params)


def _event(conn: psycopg.Connection, message_id, type_: str, detail: dict) -> None:
    conn.execute(_RECORD_EVENT, {"message_id": message_id, "type": type_, "detail": Jsonb(detail)})
