"""What the datamart holds about one customer in one journey, read for `touchpoint journey show`:
their enrolments, the messages each one staged and what became of them, every move with its
reason, and what the engine would make of the step they are at, asked at an as-of instant.

Nothing is written. The outlook is the engine's own SQL (assets/journey_statements.py) evaluated
for one enrolment, so what it says the next run will do is what the next run does.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

import psycopg
from psycopg import sql
from psycopg.rows import dict_row

from assets.journey_statements import (
    REACTION_EVENTS,
    asked_message,
    branch_tests,
    reaction_at,
    shifted,
    wait_due,
)
from models.journeys import JourneySpec


class UnknownJourney(LookupError):
    """No version of the journey was ever recorded in the datamart."""

    def __init__(self, journey: str, known: list[str]) -> None:
        super().__init__(journey)
        self.journey, self.known = journey, known


class NeverEnrolled(LookupError):
    """The journey is known, the customer was never enrolled in it."""


@dataclass(frozen=True)
class Version:
    spec: JourneySpec
    recorded_at: datetime


@dataclass(frozen=True)
class Message:
    """One message a message step staged, and what the judgement and dispatch made of it."""

    step: str
    campaign: str
    variant: str | None
    reached_at: datetime
    outcome: str
    reason: str | None
    channel: str | None
    send_after: datetime | None
    sent_at: datetime | None
    opened_at: datetime | None
    clicked_at: datetime | None
    replied_at: datetime | None


@dataclass(frozen=True)
class Transition:
    moved_at: datetime
    from_step: str | None
    to_step: str | None
    reason: str | None
    as_of: datetime


@dataclass(frozen=True)
class Outlook:
    """The engine's view of an active enrolment at the as-of: when it expires, the end of its
    wait as the next run would compute it, and at a branch which way holds now (neither: it
    stays) and when its reaction window closes."""

    expires_at: datetime
    computed_due_at: datetime | None = None
    then_holds: bool | None = None
    else_holds: bool | None = None
    asked_outcome: str | None = None
    window_end: datetime | None = None
    reacted_at: datetime | None = None


@dataclass(frozen=True)
class Enrolment:
    enrolment_id: int
    version: str
    entry_key: str
    entered_at: datetime
    time_zone: str
    step: str
    arrived_at: datetime
    due_at: datetime | None
    status: str
    reason: str | None
    ended_at: datetime | None
    messages: tuple[Message, ...] = ()
    transitions: tuple[Transition, ...] = ()
    outlook: Outlook | None = None


@dataclass(frozen=True)
class JourneyHistory:
    """The customer in one journey: the latest enrolment in full (the active one, if any: a
    customer enrols again only once the last enrolment has ended), the earlier ones as rows."""

    journey: str
    customer_id: str
    versions: dict[str, Version]  # in the order they were first recorded
    latest: Enrolment
    earlier: tuple[Enrolment, ...]  # latest first


def read_history(
    conn: psycopg.Connection, journey: str, customer_id: str, as_of: datetime
) -> JourneyHistory:
    """What the datamart holds of the customer in the journey, the outlook asked at `as_of`;
    UnknownJourney or NeverEnrolled when there is nothing to show."""
    versions = _versions(conn, journey)
    if not versions:
        raise UnknownJourney(journey, _known_journeys(conn))
    rows = _enrolment_rows(conn, journey, customer_id)
    if not rows:
        raise NeverEnrolled(journey)
    latest, *earlier = (Enrolment(**row) for row in rows)
    detailed = replace(
        latest,
        messages=_messages(conn, journey, customer_id, latest.enrolment_id),
        transitions=_transitions(conn, latest.enrolment_id),
        outlook=(
            _outlook(conn, versions[latest.version].spec, latest, as_of)
            if latest.status == "active"
            else None
        ),
    )
    return JourneyHistory(journey, customer_id, versions, detailed, tuple(earlier))


def _journeys_recorded(conn: psycopg.Connection) -> bool:
    return (
        conn.execute("select to_regclass('messaging.journey_versions')").fetchone()[0] is not None
    )


def _known_journeys(conn: psycopg.Connection) -> list[str]:
    if not _journeys_recorded(conn):
        return []
    rows = conn.execute("select distinct journey from messaging.journey_versions order by 1")
    return [journey for (journey,) in rows]


def _versions(conn: psycopg.Connection, journey: str) -> dict[str, Version]:
    if not _journeys_recorded(conn):
        return {}
    rows = conn.execute(
        "select version, spec, first_seen_at from messaging.journey_versions"
        " where journey = %s order by first_seen_at, version",
        (journey,),
    ).fetchall()
    return {
        version: Version(JourneySpec.model_validate(spec), first_seen_at)
        for version, spec, first_seen_at in rows
    }


def _enrolment_rows(conn: psycopg.Connection, journey: str, customer_id: str) -> list[dict]:
    return (
        conn.cursor(row_factory=dict_row)
        .execute(
            "select enrolment_id, version, entry_key, entered_at, time_zone, step, arrived_at,"
            " due_at, status, reason, ended_at from messaging.journey_enrolments"
            " where journey = %s and customer_id = %s order by enrolment_id desc",
            (journey, customer_id),
        )
        .fetchall()
    )


def _first_event(types: tuple[str, ...]) -> sql.Composed:
    return sql.SQL(
        "(select min(ev.occurred_at) from messaging.message_events as ev"
        " where ev.message_id = m.message_id and ev.type = any({}))"
    ).format(sql.Literal(list(types)))


def _messages(
    conn: psycopg.Connection, journey: str, customer_id: str, enrolment_id: int
) -> tuple[Message, ...]:
    """Every message the enrolment staged (a step passed twice in a loop, twice), in order."""
    statement = sql.SQL(
        "select o.context -> 'journey' ->> 'step' as step, o.campaign,"
        " o.context -> 'journey' ->> 'variant' as variant, o.occurred_at as reached_at,"
        " o.outcome, o.reason, o.channel, o.send_after, m.sent_at, {opened} as opened_at,"
        " {clicked} as clicked_at, {replied} as replied_at"
        " from messaging.occurrences as o left join messaging.outbox as m"
        " on m.campaign = o.campaign and m.occurrence_key = o.occurrence_key"
        " where o.customer_id = %(customer)s and o.context -> 'journey' ->> 'name' = %(journey)s"
        " and o.context -> 'journey' ->> 'enrolment_id' = %(enrolment)s"
        " order by o.occurred_at, o.occurrence_key"
    ).format(
        opened=_first_event(REACTION_EVENTS["opened"]),
        clicked=_first_event(REACTION_EVENTS["clicked"]),
        replied=_first_event(REACTION_EVENTS["replied"]),
    )
    rows = (
        conn.cursor(row_factory=dict_row)
        .execute(
            statement,
            {"customer": customer_id, "journey": journey, "enrolment": str(enrolment_id)},
        )
        .fetchall()
    )
    return tuple(Message(**row) for row in rows)


def _transitions(conn: psycopg.Connection, enrolment_id: int) -> tuple[Transition, ...]:
    rows = (
        conn.cursor(row_factory=dict_row)
        .execute(
            "select moved_at, from_step, to_step, reason, as_of"
            " from messaging.journey_transitions where enrolment_id = %s order by transition_id",
            (enrolment_id,),
        )
        .fetchall()
    )
    return tuple(Transition(**row) for row in rows)


def _outlook(
    conn: psycopg.Connection, spec: JourneySpec, enrolment: Enrolment, as_of: datetime
) -> Outlook:
    step = spec.step(enrolment.step)
    columns = {"expires_at": shifted(sql.SQL("e.entered_at"), spec.expire_after)}
    joins = sql.SQL("")
    if step.wait is not None:
        columns["computed_due_at"] = wait_due(step.wait)
    if step.branch is not None:
        condition = step.branch.if_
        columns["then_holds"], columns["else_holds"] = branch_tests(step.branch)
        if condition.customer is not None:
            joins = sql.SQL(" left join marts.dim_customers as c on c.customer_id = e.customer_id")
        elif condition.reaction is not None:
            joins = sql.SQL(" ") + asked_message(
                condition, spec.campaign_of(spec.step(condition.step))
            )
            columns["asked_outcome"] = sql.SQL("msg.outcome")
            columns["reacted_at"] = reaction_at(condition)
            if condition.within is not None:
                columns["window_end"] = shifted(sql.SQL("msg.sent_from"), condition.within)
    statement = sql.SQL(
        "select {columns} from messaging.journey_enrolments as e{joins}"
        " where e.enrolment_id = %(enrolment)s"
    ).format(
        columns=sql.SQL(", ").join(
            sql.SQL("{} as {}").format(value, sql.Identifier(name))
            for name, value in columns.items()
        ),
        joins=joins,
    )
    params = {
        "journey": spec.name,
        "version": enrolment.version,
        "as_of": as_of,
        "enrolment": enrolment.enrolment_id,
    }
    row = conn.cursor(row_factory=dict_row).execute(statement, params).fetchone()
    return Outlook(**row)
