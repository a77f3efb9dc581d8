"""The outbox as a work queue, with the state changes that make a send happen exactly once
(docs/architecture.md, Sending invariants: Exactly once).

A worker, present while it works (``assets.dispatch_workers``), *claims* a batch (``FOR
UPDATE SKIP LOCKED``: its id and a lease, status still ``queued``), then hands it to the
provider a group at a time: the group's rows ``sending`` (one commit) just before the provider
calls, what the provider said about each (``sent`` with its id, a retry, a failure) in one more
commit just after. Killed at any point, it leaves: claimed rows still ``queued`` — never handed
to a provider, claimable again as soon as its session is gone (or, should it hang while
connected, once its lease lapses) — and at most the one group it was sending, whose rows become
``in_doubt`` at the next sweep after that and are never resent silently: a provider event
about one later shows it was sent (``reconcile_in_doubt``), or an operator decides
(``in_doubt`` lists them). A second worker that re-claims a row makes the first worker's
``sending`` step leave it out, so the two can never both send a row.

Every step records its message events and moves the occurrences' outcomes along, in the same
transaction as the outbox change.

The recipient's send window is checked again when a row is claimed and just before its provider
call: a row that comes due outside it (a retry's back-off, a slow rate limit, a late run) waits
for the window's next opening rather than going out at night.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
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

# Oldest first, in the order of the `outbox_due` index, so PostgreSQL reads the index until it
# has the batch instead of sorting every due row for each batch. That needs its estimate of how
# many rows qualify to be close: the partition test (an expression it guesses at 0.5 %) is left
# out when there is one partition, which would make it expect a handful and sort them all.
# {partitioned} is one of the two fixed texts of claim(), never user input.
_CLAIM = f"""
with due as (
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
set claimed_by = %(worker)s, lease_until = now() + %(lease)s
from due
where m.message_id = due.message_id
returning m.*, coalesce((
    select o.marketing from messaging.occurrences as o
    where o.campaign = m.campaign and o.occurrence_key = m.occurrence_key
), true) as marketing
"""
_IN_PARTITION = "and mod(abs(hashtext(customer_id)), %(partitions)s) = %(partition)s"

# Rows a dispatcher would act on now: claimable, expired while queued, or released while
# sending.
_NEEDING_DISPATCH = f"""
select count(*) from messaging.outbox
where (status = 'queued' and (lease_until is null or {RELEASED})
        and (send_after <= now() or expires_at <= now()))
    or (status = 'sending' and {RELEASED})
"""

_START_SENDING = f"""
update messaging.outbox
set status = 'sending', attempts = attempts + 1, attempted_at = now(),
    lease_until = now() + %(lease)s
where message_id = any(%(message_ids)s) and status = 'queued' and claimed_by = %(worker)s
    and {_IN_WINDOW}
returning message_id
"""

_RECORD_EVENT = """
insert into messaging.message_events (message_id, type, occurred_at, detail)
values (%(message_id)s, %(type)s, now(), %(detail)s)
"""

# What the provider said about a group of rows, one kind of answer a statement. {assignments}
# and {detail} are the fixed texts of the record_* functions, never user input. The rows come
# as parallel arrays (``unnest`` pads the ones a kind does not use with nulls), and each event's
# detail is built here rather than sent as JSON, row by row.
_FINISH = """
with changed as (
    update messaging.outbox as m set {assignments}
    from unnest(%(message_ids)s::uuid[], %(reasons)s::text[], %(provider_ids)s::text[],
        %(delays)s::interval[]) as a(message_id, reason, provider_id, delay)
    where m.message_id = a.message_id
    returning m.message_id, m.campaign, m.occurrence_key, a.reason, {detail} as detail
),
moved as (
    update messaging.occurrences as o set outcome = %(outcome)s, reason = changed.reason
    from changed
    where %(outcome)s::text is not null
        and o.campaign = changed.campaign and o.occurrence_key = changed.occurrence_key
)
insert into messaging.message_events (message_id, type, occurred_at, detail)
select message_id, %(event)s, now(), detail from changed
"""


@dataclass(frozen=True)
class Claim:
    worker: str
    channel: str
    partition: int = 0
    partitions: int = 1
    limit: int = 500
    lease: timedelta = DEFAULT_LEASE
    # Rows marked `sending` in one commit and handed to the provider together: at most this
    # many are in doubt when the worker dies mid-send.
    in_flight: int = DEFAULT_IN_FLIGHT


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


def claim(conn: psycopg.Connection, claim: Claim) -> list[dict]:
    """A batch of due rows for this worker, oldest first; nobody else takes them while the
    worker is present (``dispatch_workers.present``) and its lease lasts."""
    params = {
        "worker": claim.worker,
        "channel": claim.channel,
        "partition": claim.partition,
        "partitions": claim.partitions,
        "limit": claim.limit,
        "lease": claim.lease,
    }
    statement = _CLAIM.format(partitioned=_IN_PARTITION if claim.partitions > 1 else "")
    with conn.transaction(), conn.cursor(row_factory=dict_row) as cursor:
        return cursor.execute(statement, params).fetchall()


def start_sending(
    conn: psycopg.Connection,
    message_ids: Sequence[UUID],
    worker: str,
    lease: timedelta = DEFAULT_LEASE,
) -> set[UUID]:
    """Committed before the provider calls: the rows marked ``sending``. A row is left out when
    it is no longer this worker's, or its send window has closed since the claim (the next sweep
    defers it). Whatever is marked here and not recorded afterwards is in doubt should the
    worker die, so mark only what goes out now."""
    params = {"message_ids": list(message_ids), "worker": worker, "lease": lease}
    return {message_id for (message_id,) in _run(conn, _START_SENDING, params).fetchall()}


def record_sent(conn: psycopg.Connection, sent: Sequence[tuple[UUID, str]]) -> None:
    """``sent`` pairs each message id with the provider's id for it."""
    _finish(
        conn,
        "status = 'sent', provider_message_id = a.provider_id, sent_at = now(), "
        "lease_until = null, last_error = null",
        detail="jsonb_build_object('provider_message_id', a.provider_id)",
        outcome="sent",
        event="sent",
        message_ids=[message_id for message_id, _ in sent],
        provider_ids=[provider_id for _, provider_id in sent],
    )


def record_retry(conn: psycopg.Connection, retries: Sequence[tuple[UUID, str, timedelta]]) -> None:
    """The provider surely did not take them: queued again after a back-off. ``retries`` are
    (message id, the provider's reason, the back-off)."""
    _finish(
        conn,
        "status = 'queued', send_after = now() + a.delay, lease_until = null, "
        "claimed_by = null, last_error = a.reason",
        detail="jsonb_build_object('reason', a.reason, "
        "'retry_in_s', extract(epoch from a.delay)::float8)",
        outcome=None,
        event="deferred",
        message_ids=[message_id for message_id, _, _ in retries],
        reasons=[reason for _, reason, _ in retries],
        delays=[delay for _, _, delay in retries],
    )


def record_failed(conn: psycopg.Connection, failures: Sequence[tuple[UUID, str]]) -> None:
    """``failures`` are (message id, reason)."""
    _finish(
        conn,
        "status = 'failed', lease_until = null, last_error = a.reason",
        detail="jsonb_build_object('reason', a.reason)",
        outcome="failed",
        event="failed",
        message_ids=[message_id for message_id, _ in failures],
        reasons=[reason for _, reason in failures],
    )


def record_in_doubt(conn: psycopg.Connection, doubts: Sequence[tuple[UUID, str]]) -> None:
    """The provider may have taken them (say, a timed-out response): never resent silently.
    ``doubts`` are (message id, reason)."""
    _finish(
        conn,
        "status = 'in_doubt', lease_until = null, last_error = a.reason",
        detail="jsonb_build_object('reason', a.reason, 'in_doubt', true)",
        outcome="in_doubt",
        event="failed",
        message_ids=[message_id for message_id, _ in doubts],
        reasons=[reason for _, reason in doubts],
    )


def _finish(
    conn: psycopg.Connection,
    assignments: str,
    *,
    detail: str,
    outcome: str | None,
    event: str,
    message_ids: list[UUID],
    reasons: list[str] | None = None,
    provider_ids: list[str] | None = None,
    delays: list[timedelta] | None = None,
) -> None:
    """The outbox changes, the occurrences' outcomes and the events of many rows in one
    statement: a group's answers cost one round trip and one commit, not one per row."""
    if not message_ids:
        return
    values = {
        "message_ids": message_ids,
        "reasons": reasons or [],
        "provider_ids": provider_ids or [],
        "delays": delays or [],
        "outcome": outcome,
        "event": event,
    }
    _run(conn, _FINISH.format(assignments=assignments, detail=detail), values)


def _run(conn: psycopg.Connection, statement: str, params: dict) -> psycopg.Cursor:
    """One statement commits by itself in autocommit mode; otherwise in a transaction here."""
    if conn.autocommit:
        return conn.execute(statement, params)
    with conn.transaction():
        return conn.execute(statement, params)


def _event(conn: psycopg.Connection, message_id, type_: str, detail: dict) -> None:
    conn.execute(_RECORD_EVENT, {"message_id": message_id, "type": type_, "detail": Jsonb(detail)})
