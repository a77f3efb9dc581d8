"""Drain one channel of the outbox through a sender, exactly once per row (docs/architecture.md,
Sending invariants: Exactly once).

The state changes themselves live in ``assets.outbox_queue``; this module is the loop around
them: sweep, claim a batch, and hand it to the provider a group of ``claim.in_flight`` rows at
a time: the group ``sending`` (one commit) → the provider calls → what the provider said about
each row (one commit). Nothing here is Dagster, so a test, a bench or a CLI can drive it.

Why the order matters:

- The worker is *present* (``assets.dispatch_workers``) from before its first claim until it
  is done: its leases hold only meanwhile. Once its session ends — finished, killed, or its
  connection lost — the rows it claimed are anyone's again, without waiting for the lease.
- ``sweep`` first, so rows a dead worker left ``sending`` become ``in_doubt`` before anything
  else happens, and rows past their expiry are ``expired`` rather than sent late.
- ``start_sending`` is committed before the provider calls: killed after it, the group's rows
  (at most ``in_flight`` per connection) can end ``in_doubt``; killed before it, they are still
  ``queued`` and the next run sends them. A row it leaves out was re-claimed by another worker
  after our lease lapsed, and only that worker may send it.
- Why groups: a commit costs a disk flush (about a millisecond), far more than handing a mail
  to a server on the same network. One commit before and one after each group, rather than
  each row, is what lets dispatch keep up with the provider; the price is the in-doubt bound
  of a group instead of one row. ``in_flight = 1`` gives the one-row bound back.
- The rate limit is waited for *before* ``start_sending``, so the window in which a crash
  leaves rows in doubt is only the provider calls, never the wait; and a group holds at most
  the limit's burst, so it never goes out faster than the limit allows.
- Batches are claimed until none is due: a retry with a zero back-off comes due at once and is
  sent by the same run; a longer back-off leaves it for a later run.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta
from uuid import UUID

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

    An exception from ``sender.send_many`` (a wiring bug, never a provider outcome) propagates
    and leaves its group ``sending``: the next sweep makes those rows ``in_doubt``, since nobody
    can tell which of them the provider got.
    """
    if not conn.autocommit:
        # Inside one long transaction nothing would be committed before the provider call,
        # and a crash would roll `sent` back under messages the provider already has.
        raise ValueError("dispatch_channel needs an autocommit connection")
    counts: Counter = Counter()
    size = _group_size(claim, rate_limiter)
    with present(conn, claim.worker):
        counts["lapsed_in_doubt"] += len(queue.sweep(conn, claim.channel))
        counts["reconciled"] += queue.reconcile_in_doubt(conn, claim.channel)
        while batch := queue.claim(conn, claim):
            for start in range(0, len(batch), size):
                group = batch[start : start + size]
                counts += _dispatch_group(conn, sender, claim, retry_policy, rate_limiter, group)
    return +counts


def _group_size(claim: Claim, rate_limiter: TokenBucket | None) -> int:
    """``claim.in_flight``, but no more than the rate limit's burst."""
    if claim.in_flight < 1:
        raise ValueError(f"in_flight must be at least 1, got {claim.in_flight}")
    if rate_limiter is None:
        return claim.in_flight
    return max(1, min(claim.in_flight, int(rate_limiter.capacity)))


def _dispatch_group(
    conn: psycopg.Connection,
    sender: Sender,
    claim: Claim,
    retry_policy: RetryPolicy,
    rate_limiter: TokenBucket | None,
    rows: list[dict],
) -> Counter:
    """Rows handed over together: ``sending``, the provider calls, the record. Returns the
    counts of ``dispatch_channel``."""
    messages = [OutboundMessage.model_validate(row) for row in rows]
    if rate_limiter is not None:
        for _ in messages:
            rate_limiter.acquire()
    ids = [message.message_id for message in messages]
    marked = queue.start_sending(conn, ids, claim.worker, claim.lease)
    handed = [message for message in messages if message.message_id in marked]
    answers = _Answers(retry_policy)
    if handed:
        # start_sending counted this attempt; the claimed rows still show the count before it.
        attempts = {row["message_id"]: row["attempts"] + 1 for row in rows}
        for message, result in zip(handed, sender.send_many(handed), strict=True):
            answers.add(message, result, attempts[message.message_id])
        answers.record(conn)
    return answers.counts + Counter(skipped=len(messages) - len(handed))


class _Answers:
    """What the provider said about each row of a group, sorted by how it is recorded, then
    written in one transaction."""

    def __init__(self, retry_policy: RetryPolicy) -> None:
        self.retry_policy = retry_policy
        self.counts: Counter = Counter()
        self.sent: list[tuple[UUID, str]] = []
        self.retried: list[tuple[UUID, str, timedelta]] = []
        self.failed: list[tuple[UUID, str]] = []
        self.in_doubt: list[tuple[UUID, str]] = []
        self.opted_out: list[tuple[OutboundMessage, str]] = []

    def add(self, message: OutboundMessage, result: SendResult, attempts: int) -> None:
        self.counts[self._classify(message, result, attempts)] += 1

    def _classify(self, message: OutboundMessage, result: SendResult, attempts: int) -> str:
        message_id = message.message_id
        if isinstance(result, Accepted):
            self.sent.append((message_id, result.provider_message_id))
            return "sent"
        if not isinstance(result, SendFailure):
            raise TypeError(f"a sender returned {result!r}, not Accepted or SendFailure")
        if result.in_doubt:
            self.in_doubt.append((message_id, result.reason))
            return "in_doubt"
        if result.retryable:
            return self._retry_or_give_up(message_id, result.reason, attempts)
        if result.opted_out:
            self.failed.append((message_id, result.reason))
            self.opted_out.append((message, result.reason))
            return "opted_out"
        self.failed.append((message_id, result.reason))
        return "failed"

    def _retry_or_give_up(self, message_id: UUID, reason: str, attempts: int) -> str:
        """Only a failure the provider surely did not accept comes here, so resending is safe;
        past the policy's last attempt the row is ``failed`` with the provider's last words."""
        now = datetime.now(UTC)
        next_at = self.retry_policy.next_attempt_at(now, attempts)
        if next_at is None:
            self.failed.append((message_id, f"gave up after {attempts} attempts: {reason}"))
            return "failed"
        self.retried.append((message_id, reason, next_at - now))
        return "retried"

    def record(self, conn: psycopg.Connection) -> None:
        """One transaction: an opted-out number's failure and its opt-out land together, so
        consent sees the opt-out before the next campaign run."""
        with conn.transaction():
            queue.record_sent(conn, self.sent)
            queue.record_retry(conn, self.retried)
            queue.record_failed(conn, self.failed)
            queue.record_in_doubt(conn, self.in_doubt)
            for message, reason in self.opted_out:
                _record_opt_out(conn, message, reason)


def _record_opt_out(conn: psycopg.Connection, message: OutboundMessage, reason: str) -> None:
    """The provider says the number opted out: recorded as a consent event."""
    conn.execute(
        _RECORD_OPT_OUT,
        {
            "message_id": message.message_id,
            "customer_id": message.customer_id,
            "channel": message.channel,
            "detail": Jsonb({"reason": reason, "source": "provider"}),
        },
    )
