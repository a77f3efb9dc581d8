"""Drain one channel of the outbox through a sender, exactly once per row (docs/architecture.md,
Sending invariants: Exactly once).

The state changes themselves live in ``assets.outbox_queue``; this module is the loop around
them: sweep, then group after group of ``claim.in_flight`` rows: claim the group straight into
``sending`` (one statement, one commit, which also records what the provider said about the
group before) → the provider calls. Nothing here is Dagster, so a test, a bench or a CLI can
drive it.

Why the order matters:

- The worker is *present* (``assets.dispatch_workers``) from before its first claim until it
  is done: its leases hold only meanwhile. Once its session ends — finished, killed, or its
  connection lost — the rows it left ``sending`` are in doubt at once, without waiting for
  the lease.
- ``sweep`` first, so rows a dead worker left ``sending`` become ``in_doubt`` before anything
  else happens, and rows past their expiry are ``expired`` rather than sent late.
- A group is committed ``sending`` before its provider calls, and its answers are committed
  with the next group's claim: killed anywhere, the worker leaves exactly the last group it
  claimed ``sending`` (at most ``in_flight`` rows per connection), whether the provider had
  taken all of it, part of it or none; those rows end ``in_doubt``, never resent. Rows it never
  claimed are still ``queued`` and the next run sends them.
- Why groups, and why the answers ride on the next claim: a commit costs a disk flush (about a
  millisecond) and a statement a round trip to the server, far more than handing a mail to a
  server on the same network. One statement and one commit a group is what lets dispatch keep
  up with the provider; the price is the in-doubt bound of a group instead of one row.
  ``in_flight = 1`` gives the one-row bound back.
- The rate limit is waited for *before* a claim, and a group's answers are recorded before
  that wait rather than held across it, so the window in which a crash leaves rows in doubt is
  only the provider calls, never the wait; and a group holds at most the limit's burst, so it
  never goes out faster than the limit allows.
- Groups are claimed until none is due: a retry with a zero back-off comes due at once and is
  sent by the same run; a longer back-off leaves it for a later run.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime

import psycopg

from assets import outbox_queue as queue
from assets.dispatch_workers import present
from assets.outbox_queue import Answers, Claim
from models.messages import Accepted, OutboundMessage, SendFailure, SendResult
from senders.protocol import Sender
from senders.rate_limit import TokenBucket
from senders.retry_policy import RetryPolicy


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
    ``opted_out`` and ``lapsed_in_doubt`` (rows a dead or hung worker left ``sending``, found
    by the sweep).

    An exception from ``sender.send_many`` (a wiring bug, never a provider outcome) propagates
    and leaves its group ``sending``: the next sweep makes those rows ``in_doubt``, since nobody
    can tell which of them the provider got.
    """
    if not conn.autocommit:
        # Inside one long transaction nothing would be committed before the provider call,
        # and a crash would roll `sent` back under messages the provider already has.
        raise ValueError("dispatch_channel needs an autocommit connection")
    counts: Counter = Counter()
    with present(conn, claim.worker):
        counts["lapsed_in_doubt"] += len(queue.sweep(conn, claim.channel))
        counts["reconciled"] += queue.reconcile_in_doubt(conn, claim.channel)
        counts += _send_due(conn, sender, claim, retry_policy, rate_limiter)
    return +counts


def _send_due(
    conn: psycopg.Connection,
    sender: Sender,
    claim: Claim,
    retry_policy: RetryPolicy,
    rate_limiter: TokenBucket | None,
) -> Counter:
    """Group after group until a claim finds nothing due, each group's answers recorded by the
    claim of the next (or by the last, empty one). A claim that recorded a retry is followed by
    one more, as a retry without back-off is due at once. Under a rate limit each claim waits
    for a group's tokens first, the last, empty one too: a run ends up to one group's wait after
    its last send, and never sends faster than the limit."""
    size = _group_size(claim, rate_limiter)
    counts: Counter = Counter()
    answers = _Answers(retry_policy)
    while True:
        recorded, retried = answers.recorded, answers.counts["retried"]
        if rate_limiter is not None:
            queue.record(conn, recorded)  # never held across the wait
            recorded = Answers()
            for _ in range(size):
                rate_limiter.acquire()
        rows = queue.claim(conn, claim, size, recorded)
        if not rows and not retried:
            return counts
        answers = _send_group(sender, rows, retry_policy)
        counts += answers.counts


def _send_group(sender: Sender, rows: list[dict], retry_policy: RetryPolicy) -> _Answers:
    """The provider calls of a claimed group, and what the provider said about each row."""
    answers = _Answers(retry_policy)
    if rows:
        messages = [OutboundMessage.model_validate(row) for row in rows]
        for message, row, result in zip(messages, rows, sender.send_many(messages), strict=True):
            answers.add(message, result, row["attempts"])
    return answers


def _group_size(claim: Claim, rate_limiter: TokenBucket | None) -> int:
    """``claim.in_flight``, but no more than the rate limit's burst."""
    if claim.in_flight < 1:
        raise ValueError(f"in_flight must be at least 1, got {claim.in_flight}")
    if rate_limiter is None:
        return claim.in_flight
    return max(1, min(claim.in_flight, int(rate_limiter.capacity)))


class _Answers:
    """What the provider said about each row of a group, sorted by how it is recorded."""

    def __init__(self, retry_policy: RetryPolicy) -> None:
        self.retry_policy = retry_policy
        self.counts: Counter = Counter()
        self.recorded = Answers()

    def add(self, message: OutboundMessage, result: SendResult, attempts: int) -> None:
        self.counts[self._classify(message, result, attempts)] += 1

    def _classify(self, message: OutboundMessage, result: SendResult, attempts: int) -> str:
        message_id = message.message_id
        if isinstance(result, Accepted):
            self.recorded.sent(message_id, result.provider_message_id)
            return "sent"
        if not isinstance(result, SendFailure):
            raise TypeError(f"a sender returned {result!r}, not Accepted or SendFailure")
        if result.in_doubt:
            self.recorded.in_doubt(message_id, result.reason)
            return "in_doubt"
        if result.retryable:
            return self._retry_or_give_up(message_id, result.reason, attempts)
        if result.opted_out:
            self.recorded.opted_out(message_id, result.reason)
            return "opted_out"
        self.recorded.failed(message_id, result.reason)
        return "failed"

    def _retry_or_give_up(self, message_id, reason: str, attempts: int) -> str:
        """Only a failure the provider surely did not accept comes here, so resending is safe;
        past the policy's last attempt the row is ``failed`` with the provider's last words."""
        now = datetime.now(UTC)
        next_at = self.retry_policy.next_attempt_at(now, attempts)
        if next_at is None:
            self.recorded.failed(message_id, f"gave up after {attempts} attempts: {reason}")
            return "failed"
        self.recorded.retried(message_id, reason, next_at - now)
        return "retried"
