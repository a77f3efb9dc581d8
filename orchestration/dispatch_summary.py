"""The dispatch part of a run's summary: what still waits in the outbox and why, and a plain
statement when a run sent nothing although messages were due, or when every send it attempted
failed (``touchpoint run`` then exits non-zero).

Every outbox row that is not finished, and every row this run handed to a provider, falls in
exactly one class, counted with its reason: leased by a running worker until T, claimed by a
worker that has stopped, retrying after an error (the error, grouped), waiting for its send
window (its next opening), due, in doubt — or, for this run's attempts, sent or failed.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

import psycopg
from psycopg.rows import class_row

from assets.dispatch_workers import absent
from assets.outbox_queue import RELEASED, in_doubt

# Errors often quote the recipient ("RCPT TO <jane@…>: 550 …"): folding it out groups them.
_BACKLOG = f"""
with classified as (
    select m.*, case
        when status = 'sent' then 'sent'
        when status = 'in_doubt' then 'in_doubt'
        when status = 'failed' and exists (
            select 1 from messaging.message_events as e
            where e.message_id = m.message_id and e.type = 'opted_out'
        ) then 'opted_out'
        when status = 'failed' then 'failed'
        when status = 'sending' and {RELEASED} then 'left_sending'
        when status = 'sending' then 'sending'
        when lease_until > now() and {absent("claimed_by")} then 'left_claimed'
        when lease_until > now() then 'leased'
        when last_error is not null then 'retrying'
        when send_after > now() then 'deferred'
        else 'due'
    end as why
    from messaging.outbox as m
    where status in ('queued', 'sending', 'in_doubt')
        or (status in ('sent', 'failed') and attempted_at >= %(since)s)
)
select
    why,
    case when why in ('leased', 'sending', 'left_claimed', 'left_sending')
        then claimed_by end as worker,
    case when why in ('retrying', 'failed', 'opted_out')
        then replace(last_error, recipient, 'the recipient') end as error,
    count(*) as messages,
    count(*) filter (where attempted_at >= %(since)s) as attempted,
    count(*) filter (
        where attempted_at >= %(since)s
            or (status in ('queued', 'sending') and send_after <= now())
    ) as due,
    min(send_after) as next_at,
    max(lease_until) as lease_until
from classified
group by 1, 2, 3
order by 4 desc, 1, 2, 3
"""

# For the sentence saying why nothing went out: a few words per class.
_SHORT = {
    "leased": "leased by another worker that is still running",
    "sending": "being handed to the provider by another worker",
    "left_claimed": "claimed by a worker that has stopped",
    "left_sending": "left mid-send by a worker that has stopped",
    "retrying": "retrying after an error",
    "deferred": "waiting for their send window",
    "due": "due but not yet claimed",
    "in_doubt": "in doubt",
    "failed": "failed",
    "opted_out": "refused: the recipient opted out",
}
_WAITING = ("leased", "sending", "left_claimed", "left_sending", "retrying", "deferred", "due")
_FAILED = ("failed", "opted_out")


@dataclass(frozen=True)
class Group:
    """Outbox rows with one reason (and worker, or error)."""

    why: str
    worker: str | None
    error: str | None
    messages: int
    attempted: int  # of them, handed to a provider since the run started
    due: int  # of them, due during the run
    next_at: datetime | None
    lease_until: datetime | None


@dataclass(frozen=True)
class DispatchReport:
    groups: tuple[Group, ...]

    @property
    def sent(self) -> int:
        return sum(g.attempted for g in self.groups if g.why == "sent")

    @property
    def failed_attempts(self) -> int:
        """This run's provider calls that did not end ``sent``; an opt-out is the recipient's
        choice, not a failing send, and a row another worker is still sending has not ended."""
        ended = ("sent", "opted_out", "sending")
        return sum(g.attempted for g in self.groups if g.why not in ended)

    @property
    def every_send_failed(self) -> bool:
        return self.failed_attempts > 0 and self.sent == 0

    def verdict(self) -> str | None:
        """One plain sentence when the run sent nothing that was due, else None."""
        due = sum(g.due for g in self.groups if g.why != "sent")
        if self.sent or not due:
            return None
        text = f"nothing was sent although {due} messages were due: {self._reasons()}"
        if self.every_send_failed:
            text += f"; every send this run attempted failed ({self.failed_attempts})"
        return text

    def send_failure(self) -> str | None:
        """The verdict, when every send this run attempted failed."""
        return self.verdict() if self.every_send_failed else None

    def _reasons(self) -> str:
        """Due counts per reason, with the error when the reason has a single one."""
        due: dict[str, int] = defaultdict(int)
        errors: dict[str, set[str]] = defaultdict(set)
        for g in self.groups:
            if g.due and g.why != "sent":
                due[g.why] += g.due
                if g.error:
                    errors[g.why].add(g.error)
        parts = []
        for why, n in sorted(due.items(), key=lambda item: -item[1]):
            kinds = errors[why]
            detail = f" ({next(iter(kinds))})" if len(kinds) == 1 else ""
            detail = f" ({len(kinds)} different errors, listed below)" if len(kinds) > 1 else detail
            parts.append(f"{n} {_SHORT[why]}{detail}")
        return "; ".join(parts)

    def lines(self, limit: int = 12) -> list[str]:
        """The verdict if any, then what waits and what failed, the largest groups first."""
        waiting = [g for g in self.groups if g.why in _WAITING]
        lines = ["Waiting in the outbox, and why"]
        lines += _limited([f"  {g.messages:>6} {_waiting_text(g)}" for g in waiting], limit)
        doubted = sum(g.messages for g in self.groups if g.why == "in_doubt")
        if doubted:
            lines.append(f"  {doubted:>6} in doubt: never resent, see below")
        if len(lines) == 1:
            lines.append("  nothing: every message is sent or settled")
        failed = [g for g in self.groups if g.why in _FAILED and g.attempted]
        if failed:
            lines.append("Failed in this run, and why")
            failures = [f"  {g.attempted:>6} {_SHORT[g.why]}: {g.error}" for g in failed]
            lines += _limited(failures, limit)
        verdict = self.verdict()
        return lines if verdict is None else [verdict, *lines]


def _limited(lines: list[str], limit: int) -> list[str]:
    """Errors quoting an id each would not group: past ``limit`` lines, say how many more."""
    if len(lines) <= limit:
        return lines
    return lines[:limit] + [f"  … and {len(lines) - limit} more groups (messaging.outbox)"]


def _waiting_text(g: Group) -> str:
    if g.why == "leased":
        return f"leased by worker {g.worker}, still running, until {_at(g.lease_until)}"
    if g.why == "sending":
        return f"being handed to the provider by worker {g.worker}, still running"
    if g.why == "left_claimed":
        return f"claimed by worker {g.worker}, which has stopped: the next dispatch sends them"
    if g.why == "left_sending":
        return (
            f"left mid-send by worker {g.worker}, which stopped or hung: "
            "in doubt at the next dispatch, never resent"
        )
    if g.why == "retrying":
        return f"retrying after an error, next attempt from {_at(g.next_at)}: {g.error}"
    if g.why == "deferred":
        return f"waiting for their send window, the next opening at {_at(g.next_at)}"
    return "due but not yet claimed: the next dispatch sends them"


def _at(moment: datetime | None) -> str:
    return f"{moment:%Y-%m-%d %H:%M:%S %Z}" if moment else "—"


def dispatch_report(conn: psycopg.Connection, since: datetime) -> DispatchReport:
    with conn.cursor(row_factory=class_row(Group)) as cursor:
        return DispatchReport(tuple(cursor.execute(_BACKLOG, {"since": since}).fetchall()))


def in_doubt_lines(conn: psycopg.Connection, limit: int = 10) -> list[str]:
    """Messages a provider may or may not have: never resent by touchpoint, so someone checks."""
    rows = in_doubt(conn)
    if not rows:
        return []
    lines = [
        f"In doubt: {len(rows)} messages the provider may have taken; touchpoint never resends",
        "  them. A provider event about one (delivered, bounced, opened…) settles it by itself.",
        "  Otherwise look it up at the provider by its X-Touchpoint-Message-Id: if it never",
        "  arrived, set its status back to 'queued' in messaging.outbox; the next run sends it.",
    ]
    for row in rows[:limit]:
        lines.append(
            f"  {row['message_id']} {row['campaign']} → {row['recipient']}: {row['last_error']}"
        )
    if len(rows) > limit:
        lines.append(f"  … and {len(rows) - limit} more (status = 'in_doubt' in messaging.outbox)")
    return lines
