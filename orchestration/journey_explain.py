"""`touchpoint journey show`: one customer's way through a journey, in words — where they are,
what they got, what comes next and when, and why (each move with its reason).

Times are the customer's local time, with its offset, since waits count on their calendar.
"Now" is the as-of instant asked; it only changes the wording of what comes next.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from assets.journey_statements import UNSENT_OUTCOMES
from models.calendar_spans import CalendarSpan
from models.journey_steps import Condition, Step
from models.journeys import JourneySpec
from orchestration.journey_history import (
    Enrolment,
    JourneyHistory,
    Message,
    Outlook,
    Transition,
)

INDENT = "  "


def explain(history: JourneyHistory, as_of: datetime) -> str:
    latest = history.latest
    spec = history.versions[latest.version].spec
    clock = _Clock(latest.time_zone, as_of)
    lines = [
        f"Journey {history.journey}, customer {history.customer_id} "
        f"(times in {latest.time_zone}; now is {clock.at(as_of)})",
        "",
        *_enrolment_head(history, latest, clock),
        f"{INDENT}where: {_where(spec, latest, clock)}",
        f"{INDENT}got:" + ("" if latest.messages else " nothing yet"),
        *[f"{INDENT * 2}{_message(message, clock)}" for message in latest.messages],
        f"{INDENT}next: {_next(spec, latest, clock)}",
        *_limits(spec, latest, clock),
        f"{INDENT}why:",
        *[f"{INDENT * 2}{_transition(move, clock)}" for move in latest.transitions],
    ]
    if history.earlier:
        lines += ["", "Earlier enrolments, latest first:"]
        lines += [f"{INDENT}{_earlier(e, as_of)}" for e in history.earlier]
    return "\n".join(lines)


class _Clock:
    """Instants in the customer's zone, and how far they are from now."""

    def __init__(self, time_zone: str, now: datetime) -> None:
        self.zone, self.now = ZoneInfo(time_zone), now

    def at(self, moment: datetime) -> str:
        return moment.astimezone(self.zone).isoformat(sep=" ", timespec="minutes")

    def from_now(self, moment: datetime) -> str:
        """`in 1 d 23 h`, `3 h 5 min ago`, or `now`."""
        delta = moment - self.now
        words = _duration(abs(delta))
        if not words:
            return "now"
        return f"in {words}" if delta > timedelta(0) else f"{words} ago"

    def dated(self, moment: datetime) -> str:
        return f"{self.at(moment)} ({self.from_now(moment)})"


def _duration(delta: timedelta) -> str:
    """The two largest units of a duration, to the minute: `1 d 23 h`, `5 min`; '' under one."""
    minutes = int(delta.total_seconds() // 60)
    parts = [(minutes // 1440, "d"), (minutes // 60 % 24, "h"), (minutes % 60, "min")]
    while parts and not parts[0][0]:
        parts.pop(0)
    return " ".join(f"{count} {unit}" for count, unit in parts[:2] if count)


def _enrolment_head(history: JourneyHistory, enrolment: Enrolment, clock: _Clock) -> list[str]:
    version = history.versions[enrolment.version]
    return [
        f"Enrolment {enrolment.enrolment_id}: {_state(enrolment)}",
        f"{INDENT}version: {enrolment.version}, recorded {clock.at(version.recorded_at)}"
        + _later_version(history, enrolment.version),
        f"{INDENT}entered: {clock.at(enrolment.entered_at)} by {version.spec.entry.model} "
        f"{enrolment.entry_key}",
    ]


def _later_version(history: JourneyHistory, version: str) -> str:
    """Names the newest recorded version when it is not this one: customers in flight finish
    the version they entered."""
    newest = list(history.versions)[-1]
    if newest == version:
        return ""
    return f"; the journey has changed since (version {newest}), they finish this one"


def _state(enrolment: Enrolment) -> str:
    """`active`, `completed`, `exited (order)`, `expired (expire_after 12mo)`."""
    if enrolment.reason in (None, enrolment.status):
        return enrolment.status
    return f"{enrolment.status} ({enrolment.reason})"


def _where(spec: JourneySpec, enrolment: Enrolment, clock: _Clock) -> str:
    step = _described(spec.step(enrolment.step))
    if enrolment.status == "active":
        return f"at {step} since {clock.at(enrolment.arrived_at)}"
    assert enrolment.ended_at is not None
    return f"{enrolment.status} at {clock.at(enrolment.ended_at)}, at {step}"


def _described(step: Step) -> str:
    """`three_days, a wait (for 3d)`: the step and what it does."""
    return f"{step.id}, {_kind(step)}"


def _kind(step: Step) -> str:
    if step.message is not None:
        return f"a message ({step.message.channel})"
    if step.wait is not None:
        wait = step.wait
        parts = [f"for {wait.for_}"] if wait.for_ else []
        if wait.until:
            parts.append(f"until {_date(wait.until, wait.offset)}")
        if wait.first_of:
            dates = ", ".join(_date(mark.until, mark.offset) for mark in wait.first_of)
            parts.append(f"the first to come of {dates}")
        if wait.at:
            parts.append(f"at {wait.at.strftime('%H:%M')}")
        return f"a wait ({', '.join(parts)})"
    if step.branch is not None:
        return f"a branch (if {_condition(step.branch.if_)})"
    if step.split is not None:
        arms = ", ".join(f"{name} {arm.weight}" for name, arm in step.split.arms.items())
        return f"a split ({arms})"
    assert step.exit is not None
    return f"an exit ({step.exit.reason})"


def _date(key: str, offset: CalendarSpan | None) -> str:
    return key + (f" {offset}" if offset else "")


def _condition(condition: Condition) -> str:
    if condition.date is not None:
        return f"{_date(condition.date, condition.offset)} had come"
    if condition.customer is not None:
        test = condition.customer
        compared = {
            "equals": test.equals,
            "in": test.in_,
            "at least": test.at_least,
            "at most": test.at_most,
            "is set": test.is_set,
        }
        words = " and ".join(
            f"{name} {value!r}" for name, value in compared.items() if value is not None
        )
        return f"{test.column} {words}"
    words = f"{condition.reaction} {condition.step}"
    if condition.reaction == "scored":
        low = condition.at_least if condition.at_least is not None else 0
        high = condition.at_most if condition.at_most is not None else 10
        words += f" {low}-{high}"
    return words + (f" within {condition.within}" if condition.within else "")


def _message(message: Message, clock: _Clock) -> str:
    variant = f", variant {message.variant}" if message.variant else ""
    parts = [
        f"{message.step} ({message.campaign}{variant}), reached {clock.at(message.reached_at)}"
    ]
    outcome = message.outcome.replace("_", " ")
    if message.reason:
        outcome += f" ({message.reason})"
    if message.channel:
        outcome += f" by {message.channel}"
    if message.sent_at is not None:
        outcome += f" at {clock.at(message.sent_at)}"
    elif message.outcome in ("queued", "deferred") and message.send_after is not None:
        outcome += f", not before {clock.at(message.send_after)}"
    parts.append(outcome)
    if message.outcome in ("sent", "in_doubt"):
        parts.append(_reactions(message, clock))
    return "; ".join(parts)


def _reactions(message: Message, clock: _Clock) -> str:
    moments = {
        "opened": message.opened_at,
        "clicked": message.clicked_at,
        "replied": message.replied_at,
    }
    return ", ".join(
        f"{name} {clock.at(moment)}" if moment else f"not {name}"
        for name, moment in moments.items()
    )


def _next(spec: JourneySpec, enrolment: Enrolment, clock: _Clock) -> str:
    if enrolment.status != "active":
        again = (
            f"a new entry of {spec.entry.model} enrols them again"
            if spec.re_entry
            else "they never enrol again (re_entry: false)"
        )
        return f"nothing, the enrolment has ended; {again}"
    assert enrolment.outlook is not None
    step = spec.step(enrolment.step)
    if step.wait is not None:
        return _after_wait(spec, step, enrolment, clock)
    if step.branch is not None:
        return _after_branch(step, enrolment.outlook, clock)
    return f"{step.id} takes no time: the next run goes on from it"


def _following(spec: JourneySpec, step: Step) -> str:
    index = [s.id for s in spec.steps].index(step.id)
    successors = spec.successors(index)
    return f"on to {successors[0]}" if successors else "the enrolment completes"


def _after_wait(spec: JourneySpec, step: Step, enrolment: Enrolment, clock: _Clock) -> str:
    then = _following(spec, step)
    if enrolment.due_at is None:
        assert enrolment.outlook is not None
        if enrolment.outlook.computed_due_at is None:
            return (
                "none of its dates comes after they arrived: they wait until the entry's "
                f"context moves one later, then {then}"
            )
        computed = clock.at(enrolment.outlook.computed_due_at)
        return f"the wait's end is not computed yet (the next run sets it: {computed}), then {then}"
    if enrolment.due_at > clock.now:
        return f"the wait ends {clock.dated(enrolment.due_at)}, then {then}"
    return f"the wait ended {clock.dated(enrolment.due_at)}: the next run moves them {then}"


def _after_branch(step: Step, outlook: Outlook, clock: _Clock) -> str:
    branch = step.branch
    assert branch is not None
    condition = branch.if_
    asked = _condition(condition)
    if outlook.then_holds:
        reacted = f" ({clock.at(outlook.reacted_at)})" if outlook.reacted_at else ""
        return f"{asked} holds{reacted}: the next run takes then, to {branch.then}"
    if outlook.else_holds:
        return f"{_why_else(condition, outlook, clock)}: the next run takes else, to {branch.else_}"
    ways = f"then {branch.then}, else {branch.else_}"
    if outlook.asked_outcome in ("queued", "deferred", "in_doubt"):
        return (
            f"waits for {condition.step} to be sent ({outlook.asked_outcome}), then {asked}: {ways}"
        )
    if outlook.window_end is not None:
        return f"waits for {asked} until {clock.dated(outlook.window_end)}: {ways}"
    return f"waits for {asked}: {ways}"


def _why_else(condition: Condition, outlook: Outlook, clock: _Clock) -> str:
    if condition.date is not None:
        return f"{_date(condition.date, condition.offset)} had not come when they arrived"
    if condition.customer is not None:
        return f"not {_condition(condition)}"
    if outlook.asked_outcome is None or outlook.asked_outcome in UNSENT_OUTCOMES:
        outcome = outlook.asked_outcome.replace("_", " ") if outlook.asked_outcome else "no message"
        return f"{condition.step} was never sent ({outcome})"
    by = f" by {clock.at(outlook.window_end)}" if outlook.window_end else ""
    return f"not {_condition(condition)}{by}"


def _limits(spec: JourneySpec, enrolment: Enrolment, clock: _Clock) -> list[str]:
    """How the active enrolment may end otherwise: a goal reached, or its expiry."""
    if enrolment.outlook is None:
        return []
    goals = " or ".join(spec.exit_when)
    return [
        f"{INDENT}ends: early on {goals}; at the latest {clock.at(enrolment.outlook.expires_at)}"
        f" (expire_after {spec.expire_after})"
    ]


def _transition(move: Transition, clock: _Clock) -> str:
    source = move.from_step or "(entry)"
    target = move.to_step or "(end)"
    run = f" [run as of {clock.at(move.as_of)}]" if move.as_of != move.moved_at else ""
    return f"{clock.at(move.moved_at)}  {source} -> {target}: {move.reason}{run}"


def _earlier(enrolment: Enrolment, as_of: datetime) -> str:
    """One line: how it ended, where and when it began (in its own time zone)."""
    clock = _Clock(enrolment.time_zone, as_of)
    ended = f" at {clock.at(enrolment.ended_at)}" if enrolment.ended_at else ""
    return (
        f"Enrolment {enrolment.enrolment_id}: {_state(enrolment)}{ended} at step {enrolment.step}; "
        f"entered {clock.at(enrolment.entered_at)} by {enrolment.entry_key}, "
        f"version {enrolment.version}"
    )
