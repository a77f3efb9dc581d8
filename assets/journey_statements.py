"""The SQL that moves a journey's enrolments, composed from its spec, one statement a move.

Every statement moves all the enrolments it applies to at once (never a loop over customers)
and records each move in ``messaging.journey_transitions``. Statements read three parameters:
``%(journey)s``, ``%(version)s`` and ``%(as_of)s``; everything else is composed in, as literals.

Times are the journey's own clock (see warehouse/migrations/versions/0002_journeys.py): a wait
that ended at 10:00 leaves the customer at the next step at 10:00, whenever the run came.
Calendar arithmetic happens on the customer's local wall clock
(``(t at time zone tz + interval) at time zone tz``), so 7 days from Friday 10:00 is the next
Friday 10:00 across a change of summer time; hours and minutes are added as elapsed time.
"""

from __future__ import annotations

from psycopg import sql

from models.calendar_spans import CalendarSpan
from models.journey_steps import Branch, Condition, ContextDate, CustomerTest, Wait

ENROLMENTS = sql.SQL("messaging.journey_enrolments")

# What a branch's reaction is heard as, in messaging.message_events (a click implies an open).
REACTION_EVENTS = {
    "delivered": ("delivered",),
    "opened": ("opened", "clicked"),
    "clicked": ("clicked",),
    "replied": ("replied", "survey_answered"),
    "scored": ("survey_answered",),
}

# A message with one of these outcomes was never sent and never will be: no reaction can come.
UNSENT_OUTCOMES = ("failed", "held_out", "capped", "no_consent", "expired")


def shifted(moment: sql.Composable, span: CalendarSpan) -> sql.Composed:
    """`moment` moved by `span`: calendar part on the enrolment's local clock, then elapsed."""
    return sql.SQL(
        "((({moment} at time zone e.time_zone) + {calendar}::interval) at time zone e.time_zone"
        " + {clock}::interval)"
    ).format(
        moment=moment,
        calendar=sql.Literal(span.calendar_interval),
        clock=sql.Literal(span.clock_interval),
    )


def context_date(key: str) -> sql.Composed:
    """A date or local date-time of the entry's context, as an instant in the customer's zone
    (null when the context lacks it)."""
    return sql.SQL("((e.context ->> {key})::timestamp at time zone e.time_zone)").format(
        key=sql.Literal(key)
    )


ARRIVED = sql.SQL("e.arrived_at")


def wait_due(wait: Wait, arrived: sql.Composable = ARRIVED) -> sql.Composed:
    """When a wait ends for a customer who arrived at it at `arrived`: the latest of arriving,
    `for` after arriving, `until` + `offset` and the first `first_of` date after arriving; then,
    with `at`, the next local `at` o'clock. A missing `until` date holds nobody; with no
    `first_of` date to come the end is null: the customer waits (for the context to change)."""
    candidates = [arrived]
    if wait.for_ is not None:
        candidates.append(shifted(arrived, wait.for_))
    if wait.until is not None:
        candidates.append(shifted(context_date(wait.until), wait.offset or CalendarSpan()))
    if wait.first_of is not None:
        candidates.append(_first_to_come(wait.first_of, arrived))
    latest = sql.SQL("greatest({})").format(sql.SQL(", ").join(candidates))
    if wait.first_of is not None:  # greatest() skips nulls: none to come must stay null
        latest = sql.SQL("(case when {} is not null then {} end)").format(candidates[-1], latest)
    if wait.at is None:
        return latest
    return sql.SQL(
        "(select case when d >= l then d else d + interval '1 day' end at time zone e.time_zone"
        " from (select {latest} at time zone e.time_zone as l) as local_now,"
        " lateral (select l::date + {at}::time as d) as local_at)"
    ).format(latest=latest, at=sql.Literal(wait.at.isoformat()))


def _first_to_come(dates: tuple[ContextDate, ...], arrived: sql.Composable) -> sql.Composed:
    """The earliest of the context dates (shifted) that are after `arrived`; null if none is."""
    return sql.SQL("least({})").format(
        sql.SQL(", ").join(
            sql.SQL("(select d from (select {date} as d) as mark where d > {arrived})").format(
                date=shifted(context_date(mark.until), mark.offset or CalendarSpan()),
                arrived=arrived,
            )
            for mark in dates
        )
    )


def _bucket(step_id: str) -> sql.Composed:
    """0 … 2^32-1 from the first 8 hex digits of sha256("<journey>:<step>:<customer>"): the same
    customer lands in the same place on every run, and buckets are uniform."""
    return sql.SQL(
        "(('x' || left(encode(sha256(convert_to(%(journey)s || ':' || {step} || ':'"
        " || e.customer_id, 'UTF8')), 'hex'), 8))::bit(32)::bigint)"
    ).format(step=sql.Literal(step_id))


def weighted_choice(step_id: str, weights: dict[str, int]) -> sql.Composed:
    """The name whose share of the weights the customer's bucket falls in."""
    total = sum(weights.values())
    cases, upper = [], 0
    for name, weight in weights.items():
        upper += weight
        cases.append(
            sql.SQL("when mod({bucket}, {total}) < {upper} then {name}").format(
                bucket=_bucket(step_id),
                total=sql.Literal(total),
                upper=sql.Literal(upper),
                name=sql.Literal(name),
            )
        )
    return sql.SQL("(case {} end)").format(sql.SQL(" ").join(cases))


def customer_test(test: CustomerTest) -> sql.Composed:
    """The test on `c`, the customer's row in dim_customers; null (no row) counts as false."""
    column = sql.SQL("c.{}").format(sql.Identifier(test.column))
    if test.is_set is not None:
        return sql.SQL("{} is {} null").format(column, sql.SQL("not" if test.is_set else ""))
    if test.equals is not None:
        return sql.SQL("{} = {}").format(column, sql.Literal(test.equals))
    if test.in_ is not None:
        return sql.SQL("{} in ({})").format(
            column, sql.SQL(", ").join(sql.Literal(value) for value in test.in_)
        )
    bounds = []
    if test.at_least is not None:
        bounds.append(sql.SQL("{} >= {}").format(column, sql.Literal(test.at_least)))
    if test.at_most is not None:
        bounds.append(sql.SQL("{} <= {}").format(column, sql.Literal(test.at_most)))
    return sql.SQL(" and ").join(bounds)


def date_come(condition: Condition) -> sql.Composed:
    """Whether the context date (shifted) had come when the customer reached the branch."""
    assert condition.date is not None
    date = shifted(context_date(condition.date), condition.offset or CalendarSpan())
    return sql.SQL("e.arrived_at >= {}").format(date)


def reaction_at(condition: Condition) -> sql.Composed:
    """When the customer first reacted as `condition` asks to the latest message of its step, at
    or before the as-of and within the window; null if they have not (yet)."""
    window_end = (
        shifted(sql.SQL("msg.sent_from"), condition.within)
        if condition.within
        else sql.SQL("%(as_of)s::timestamptz")
    )
    if condition.reaction == "converted":
        return sql.SQL(
            "(select min(o.ordered_at) from marts.fct_orders as o"
            " where o.customer_id = e.customer_id and o.ordered_at >= msg.sent_from"
            " and o.ordered_at <= least(%(as_of)s::timestamptz, {window_end}))"
        ).format(window_end=window_end)
    score_test = sql.SQL("")
    if condition.reaction == "scored":
        low = condition.at_least if condition.at_least is not None else 0
        high = condition.at_most if condition.at_most is not None else 10
        score_test = sql.SQL(
            " and (ev.detail ->> 'score') ~ '^[0-9]+$'"
            " and (ev.detail ->> 'score')::int between {low} and {high}"
        ).format(low=sql.Literal(low), high=sql.Literal(high))
    return sql.SQL(
        "(select min(ev.occurred_at) from messaging.message_events as ev"
        " where ev.message_id = msg.message_id and ev.type in ({types})"
        " and ev.occurred_at <= least(%(as_of)s::timestamptz, {window_end}){score_test})"
    ).format(
        types=sql.SQL(", ").join(sql.Literal(t) for t in REACTION_EVENTS[condition.reaction]),
        window_end=window_end,
        score_test=score_test,
    )


def asked_message(condition: Condition, asked_campaign: str) -> sql.Composed:
    """`msg`: the latest message of the step a branch asks about, with the moment its window
    opens (sent, else due to be sent, else reached); no row while it is not yet judged."""
    return sql.SQL(
        "left join lateral (select o.outcome, m.message_id,"
        " coalesce(m.sent_at, o.send_after, o.occurred_at) as sent_from"
        " from messaging.occurrences as o"
        " left join messaging.outbox as m"
        " on m.campaign = o.campaign and m.occurrence_key = o.occurrence_key"
        " where o.campaign = {campaign} and o.occurrence_key = e.message_keys ->> {step}"
        ") as msg on true"
    ).format(campaign=sql.Literal(asked_campaign), step=sql.Literal(condition.step))


def branch_tests(branch: Branch) -> tuple[sql.Composed, sql.Composed]:
    """(the `then` test, the `else` test) of a branch, on `e`, `c` and `msg`; where neither holds
    the customer stays for a later run."""
    condition = branch.if_
    if condition.customer is not None or condition.date is not None:
        test = customer_test(condition.customer) if condition.customer else date_come(condition)
        return (
            sql.SQL("coalesce(({}), false)").format(test),
            sql.SQL("not coalesce(({}), false)").format(test),
        )
    reacted = reaction_at(condition)
    never_sent = sql.SQL("(e.message_keys ->> {step} is null or msg.outcome in ({unsent}))").format(
        step=sql.Literal(condition.step),
        unsent=sql.SQL(", ").join(sql.Literal(o) for o in UNSENT_OUTCOMES),
    )
    if condition.within is not None:
        over = sql.SQL("{} <= %(as_of)s::timestamptz").format(
            shifted(sql.SQL("msg.sent_from"), condition.within)
        )
    else:
        over = sql.SQL("msg.message_id is not null and msg.outcome = 'sent'")
    then_test = sql.SQL("{} is not null").format(reacted)
    else_test = sql.SQL("({never_sent} or ({over} and {reacted} is null))").format(
        never_sent=never_sent, over=over, reacted=reacted
    )
    return then_test, else_test


def branch_arrival(branch: Branch, taken: str) -> sql.Composed:
    """When the customer takes the way `taken`: at their reaction for `then` on a reaction, at
    the end of the window for `else`, else when they reached the branch."""
    condition = branch.if_
    if condition.reaction is None:
        return sql.SQL("e.arrived_at")
    if taken == "then":
        return sql.SQL("greatest(e.arrived_at, {})").format(reaction_at(condition))
    if condition.within is None:
        return sql.SQL("e.arrived_at")
    return sql.SQL(
        "case when msg.sent_from is null or msg.outcome in ({unsent}) then e.arrived_at"
        " else greatest(e.arrived_at, least({end}, %(as_of)s::timestamptz)) end"
    ).format(
        unsent=sql.SQL(", ").join(sql.Literal(o) for o in UNSENT_OUTCOMES),
        end=shifted(sql.SQL("msg.sent_from"), condition.within),
    )
