"""Drain one channel of the outbox through a sender, exactly once per row (docs/architecture.md,
Sending invariants: Exactly once).

The state changes themselves live in ``assets.outbox_queue``; this module is the loop around
them: sweep, claim a batch, and for each row ``sending`` (committed) → provider call → record
what the provider said. Nothing here is Dagster, so a test, a bench or a CLI can drive it.

Why the order matters:

- The worker is *present* (``assets.dispatch_workers``) from before its first claim until it
  is done: its leases hold only meanwhile. Once its session ends — finished, killed, or its
  connection lost — the rows it claimed are anyone's again, without waiting for the lease.
- ``sweep`` first, so rows a dead worker left ``sending`` become ``in_doubt`` before anything
  else happens, and rows past their expiry are ``expired`` rather than sent late.
- ``start_sending`` is committed before ``sender.send``: killed after it, the row is the one
  (at most one per connection) that can end ``in_doubt``; killed before it, the row is still
  ``queued`` and the next run sends it. When it returns False another worker re-claimed the
  row after our lease lapsed, and only that worker may send it.
- The rate limit is waited for *before* ``start_sending``, so the window in which a crash
  leaves a row in doubt is only the provider call, never the wait.
- Batches are claimed until none is due: a retry with a zero back-off comes due at once and is
  sent by the same run; a longer back-off leaves it for a later run.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime

import psycopg
from psycopg.types.json import Jsonb

from assets import outbox_queue as queue
from assets.dispatch_workers import present
from assets.outbox_queue import Claim
from models.messages import Accepted, OutboundMessage, SendFailure, SendResult
from senders.protocol import Sender
from senders.rate_limit import TokenBucket
from senders.retry_policy import RetryPolicy

_RECORD_OPT_OUT = """
insert into messaging.message_events (message_id, customer_id, channel, type, occurred_at, detail)
values (%(message_id)s, %(customer_id)s, %(channel)s, 'opted_out', now(), %(detail)s)
"""


def dispatch_channel(
    conn: psycopg.Connection,
    sender: Sender,
    claim: Claim,
    retry_policy: RetryPolicy,
    rate_limiter: TokenBucket | None = None,
) -> Counter:
    """Send every due row of ``claim.channel`` (this worker's partition) once.

    ``conn`` must be in autocommit mode: every step commits on its own, which is what makes a
    crash lose nothing. Returns counts by result: ``sent``, ``retried``, ``failed``,
    ``in_doubt``, ``reconciled`` (rows in doubt a provider event showed were sent),
    ``opted_out``, ``skipped`` (re-claimed by another worker, or its send window
    closed since the claim: the next sweep defers it) and
    ``lapsed_in_doubt`` (rows a dead or hung worker left ``sending``, found by the sweep).

    An exception from ``sender.send`` (a wiring bug, never a provider outcome) propagates and
    leaves its row ``sending``: the next sweep makes it ``in_doubt``, since nobody can tell
    whether the provider got it.
    """
    if not conn.autocommit:
        # Inside one long transaction nothing would be committed before the provider call,
        # and a crash would roll `sent` back under messages the provider already has.
        raise ValueError("dispatch_channel needs an autocommit connection")
    counts: Counter = Counter()
    with present(conn, claim.worker):
        counts["lapsed_in_doubt"] += len(queue.sweep(conn, claim.channel))
        counts["reconciled"] += queue.reconcile_in_doubt(conn, claim.channel)
        while batch := queue.claim(conn, claim):
            for row in batch:
                counts[_dispatch_row(conn, sender, claim, retry_policy, rate_limiter, row)] += 1
    return +counts


def _dispatch_row(
    conn: psycopg.Connection,
    sender: Sender,
    claim: Claim,
    retry_policy: RetryPolicy,
    rate_limiter: TokenBucket | None,
    row: dict,
) -> str:
    """One row: ``sending``, the provider call, the record. Returns the counter key."""
    message = OutboundMessage.model_validate(row)
    if rate_limiter is not None:
        rate_limiter.acquire()
    if not queue.start_sending(conn, row["message_id"], claim.worker, claim.lease):
        return "skipped"
    result = sender.send(message)
    # start_sending counted this attempt; the claimed row still shows the count before it.
    return _record(conn, message, result, row["attempts"] + 1, retry_policy)


def _record(
    conn: psycopg.Connection,
    message: OutboundMessage,
    result: SendResult,
    attempts: int,
    retry_policy: RetryPolicy,
) -> str:
    """Write down what the provider said; each branch is one committed transaction."""
    message_id = message.message_id
    if isinstance(result, Accepted):
        queue.record_sent(conn, message_id, result.provider_message_id)
        return "sent"
    if not isinstance(result, SendFailure):
        raise TypeError(f"a sender returned {result!r}, not Accepted or SendFailure")
    if result.in_doubt:
        queue.record_in_doubt(conn, message_id, result.reason)
        return "in_doubt"
    if result.retryable:
        return _retry_or_give_up(conn, message_id, result.reason, attempts, retry_policy)
    if result.opted_out:
        _record_opt_out(conn, message, result.reason)
        return "opted_out"
    queue.record_failed(conn, message_id, result.reason)
    return "failed"


def _retry_or_give_up(
    conn: psycopg.Connection, message_id, reason: str, attempts: int, retry_policy: RetryPolicy
) -> str:
    """Only a failure the provider surely did not accept comes here, so resending is safe;
    past the policy's last attempt the row is ``failed`` with the provider's last words."""
    now = datetime.now(UTC)
    next_at = retry_policy.next_attempt_at(now, attempts)
    if next_at is None:
        queue.record_failed(conn, message_id, f"gave up after {attempts} attempts: {reason}")
        return "failed"
    queue.record_retry(conn, message_id, reason, next_at - now)
    return "retried"


def _record_opt_out(conn: psycopg.Connection, message: OutboundMessage, reason: str) -> None:
    """The provider says the number opted out: the row fails and the opt-out is recorded in
    the same transaction, so consent sees it before the next campaign run."""
    with conn.transaction():
        queue.record_failed(conn, message.message_id, reason)
        conn.execute(
            _RECORD_OPT_OUT,
            {
                "message_id": message.message_id,
                "customer_id": message.customer_id,
                "channel": message.channel,
                "detail": Jsonb({"reason": reason, "source": "provider"}),
            },
        )
