"""Advancing journeys at an as-of instant: enrol, end what has ended, then move every due
enrolment on, step kind by step kind, until nothing moves (docs/journeys.md, "How journeys run").

Each move is one statement over every enrolment it applies to (assets/journey_statements.py),
and goes on in it through the steps that take no time (assets/journey_chains.py): a customer is
written once however many of them they pass.
A message step stages its messages as candidates of the shared judgement
(assets/occurrence_decisions.py), so consent, caps, send windows, holdout and the outbox are the
campaigns' own; it runs inside that judgement's transaction, so a run killed half way leaves
neither a customer moved past a message nor a message without its customer having moved.

Loops are refused without a wait that takes time (models/journeys.py), so a customer goes round
a loop only as often as its waits are over, and rounds end once every wait is in the future.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import psycopg
from psycopg import sql
from psycopg.types.json import Jsonb

from assets.journey_chains import Onward, onward
from assets.journey_statements import (
    ENROLMENTS,
    asked_message,
    branch_arrival,
    branch_tests,
    shifted,
    weighted_choice,
)
from assets.occurrence_decisions import CampaignPolicy, stage_policy
from models.journey_steps import Step
from models.journeys import JourneySpec

SEGMENT_ENTRY_LIFE = timedelta(days=7)
NOTHING = sql.SQL("")
NULL_TEXT = sql.SQL("null::text")
ACTIVE = sql.Literal("active")
JUST_ENROLLED = sql.SQL(" and e.enrolled_as_of = %(as_of)s")
MAX_ROUNDS = 10_000  # a guard: the loop checks make every round end; this names a bug if not
CHAIN_LIMIT = 100  # moves one statement makes an enrolment at most; the next round goes on
# Rows this transaction may write before the planner's statistics of the tables a move joins are
# refreshed (see _refresh_statistics).
STALE_AFTER = 1_000


class JourneyStuck(RuntimeError):
    """Enrolments kept moving for MAX_ROUNDS rounds: a loop the load checks let through."""


@dataclass
class AdvanceResult:
    """What one advance of one journey did."""

    entered: int = 0
    moves: Counter = field(default_factory=Counter)  # (from step, to step or outcome) → count
    ended: Counter = field(default_factory=Counter)  # "exited: order", "completed" → count
    messages: Counter = field(default_factory=Counter)  # step → messages staged


def advance_journey(
    conn: psycopg.Connection,
    current: JourneySpec,
    as_of: datetime,
    versions: dict[str, JourneySpec],
    decide: Callable[[], None],
) -> AdvanceResult:
    """Advance every enrolment of one journey; run inside `occurrence_decisions.judge`'s stage,
    whose `decide` judges the messages staged in a round before the next round reads them (so a
    branch knows at once that a message expired or was held out).

    `versions` holds the spec of every version with customers in flight (the current one too),
    by its stored key: a stored spec read back may hash differently once the spec gains a field.
    """
    result = AdvanceResult()
    params = {"journey": current.name, "version": current.version, "as_of": as_of}
    if current.move_in_flight:
        _move_to_current_version(conn, current, params)
    if current.entry.context == "latest":
        _refresh_context(conn, current, params)
    for version, spec in versions.items():
        _stage_policies(conn, spec)
        _end_early(conn, spec, {**params, "version": version}, result)
    # Those just enrolled may have reached a goal already (an order since a late entry, a later
    # entry of theirs: that one enrols in turn); everyone else was checked above.
    while entered := _enrol(conn, current, params):
        result.entered += entered
        # Before the exits read them: planned on the statistics of an empty table, the check
        # for a later entry and the enrolment after it took minutes for a night's 5 k re-entries
        # of the installed base (1 M customers).
        _refresh_statistics(conn, entered)
        exits_before = result.ended.total()
        _end_early(conn, current, params, result, JUST_ENROLLED)
        if result.ended.total() == exits_before:
            break
    for _ in range(MAX_ROUNDS):
        staged = sum(result.messages.values())
        moved = sum(
            _advance_steps(conn, spec, {**params, "version": version}, result)
            for version, spec in versions.items()
        )
        newly_staged = sum(result.messages.values()) - staged
        if newly_staged:
            decide()
        if not moved:
            return result
        _refresh_statistics(conn, moved + newly_staged)
    raise JourneyStuck(f"journey {current.name!r}: still moving after {MAX_ROUNDS} rounds")


def _refresh_statistics(conn: psycopg.Connection, written: int) -> None:
    """ANALYZE the tables a move joins once this transaction has written many of their rows.

    The planner sizes a join from the tables' statistics, which autovacuum gathers only from
    committed rows and long after. Enrolling an installed base or staging its messages in the
    transaction leaves them saying "a few rows" where there are a hundred thousand, and a move
    planned on that looks up a branch's message by scanning every message of its campaign for
    each enrolment (measured: a branch of 14 k enrolments still running after 5 minutes; with
    fresh statistics, under a second). ANALYZE sees the transaction's own rows and samples a
    bounded number of them. The outbox is left out: a step's messages are rendered into it
    after the moves, so it holds none of this run's yet. Only the columns the moves join and
    filter on are analysed: the JSON columns' statistics, which no move's plan reads, were half
    the cost (10.8 s of a first pass at 1 M customers for all columns).
    """
    if written >= STALE_AFTER:
        conn.execute(
            "analyze messaging.journey_enrolments (journey, version, customer_id, entry_key,"
            " step, status, arrived_at, due_at),"
            " messaging.occurrences (campaign, occurrence_key, customer_id, outcome, send_after)"
        )


def record_version(conn: psycopg.Connection, spec: JourneySpec) -> None:
    conn.execute(
        "insert into messaging.journey_versions (journey, version, spec) values (%s, %s, %s) "
        "on conflict do nothing",
        (spec.name, spec.version, Jsonb(spec.model_dump(mode="json", by_alias=True))),
    )


def versions_in_flight(conn: psycopg.Connection, current: JourneySpec) -> dict[str, JourneySpec]:
    """The spec of each version with active enrolments, and the current one."""
    rows = conn.execute(
        "select v.version, v.spec from messaging.journey_versions as v"
        " where v.journey = %s and v.version <> %s and exists ("
        "  select 1 from messaging.journey_enrolments as e"
        "  where e.journey = v.journey and e.version = v.version and e.status = 'active')",
        (current.name, current.version),
    ).fetchall()
    older = {version: JourneySpec.model_validate(spec) for version, spec in rows}
    return {**older, current.version: current}


def journey_policy(spec: JourneySpec, step: Step) -> CampaignPolicy:
    """A message step's messages are judged like a campaign's, by the journey's policy."""
    assert step.message is not None
    window = step.message.send_window or spec.send_window
    return CampaignPolicy(
        campaign=spec.campaign_of(step),
        source_schema="journeys",
        source_model=spec.entry.model,
        channel=step.message.channel,
        priority=spec.priority_of(step),
        window_start=window.start,
        window_end=window.end,
        cooldown=step.message.cooldown,
        expiry=None,  # each candidate carries its own, from when the customer reached the step
        holdout=spec.holdout_of(step),
        marketing=spec.marketing_of(step),
        holdout_key=spec.holdout_campaign if step.message.holdout is None else None,
    )


def _stage_policies(conn: psycopg.Connection, spec: JourneySpec) -> None:
    staged = {row[0] for row in conn.execute("select campaign from decision_campaigns")}
    for step in spec.message_steps:
        if spec.campaign_of(step) not in staged:
            stage_policy(conn, journey_policy(spec, step))


def _move_to_current_version(conn: psycopg.Connection, current: JourneySpec, params: dict) -> None:
    """The journey's explicit rule `move_in_flight`: customers on an older version go on in the
    current one from the step they are at, where the current one has that step."""
    conn.execute(
        sql.SQL(
            "with moved as (update {enrolments} as e set version = %(version)s, due_at = null"
            " where e.journey = %(journey)s and e.status = 'active' and e.version <> %(version)s"
            " and e.step = any(%(steps)s) returning e.enrolment_id, e.step)"
            " insert into messaging.journey_transitions"
            " (enrolment_id, from_step, to_step, moved_at, reason, as_of)"
            " select enrolment_id, step, step, %(as_of)s, 'moved to version ' || %(version)s,"
            " %(as_of)s from moved"
        ).format(enrolments=ENROLMENTS),
        {**params, "steps": [step.id for step in current.steps]},
    )


def _source(spec: JourneySpec) -> sql.Composed:
    schema = "triggers" if spec.entry.trigger else "segments"
    return sql.SQL("{}").format(sql.Identifier(schema, spec.entry.model))


def _entries(spec: JourneySpec) -> sql.Composed:
    """The entry model's rows as (entry_key, customer_id, entered_at, context), at the as-of."""
    if spec.entry.trigger:
        return sql.SQL(
            "select t.occurrence_key as entry_key, t.customer_id, t.occurred_at as entered_at,"
            " coalesce(t.context, '{{}}'::jsonb) as context from {source} as t"
            " where t.occurred_at <= %(as_of)s and t.expires_at > %(as_of)s"
        ).format(source=_source(spec))
    return sql.SQL(
        "select s.customer_id || ':' || to_char(s.entered_at at time zone 'UTC', 'YYYY-MM-DD')"
        " as entry_key, s.customer_id, s.entered_at, coalesce(s.context, '{{}}'::jsonb) as context"
        " from {source} as s where s.entered_at <= %(as_of)s and s.entered_at > %(as_of)s - {life}"
    ).format(source=_source(spec), life=sql.Literal(SEGMENT_ENTRY_LIFE))


def _refresh_context(conn: psycopg.Connection, spec: JourneySpec, params: dict) -> None:
    """`context: latest`: every active enrolment takes its entry row's context as it stands now;
    where it changed, the end of the wait it is in is computed afresh (by the wait's statement),
    as the dates it counts to may have moved."""
    conn.execute(
        sql.SQL(
            "update {enrolments} as e set context = n.context, due_at = null"
            " from ({entries}) as n where e.journey = %(journey)s and e.status = 'active'"
            " and n.entry_key = e.entry_key and e.context is distinct from n.context"
        ).format(enrolments=ENROLMENTS, entries=_entries(spec)),
        params,
    )


def _enrol(conn: psycopg.Connection, spec: JourneySpec, params: dict) -> int:
    """Enrol each customer with a new entry, their earliest, unless already active in the journey
    (or, without re_entry, ever enrolled in it)."""
    enrolled_before = sql.SQL("" if spec.re_entry else " or true")
    statement = sql.SQL(
        "with entries as (select distinct on (n.customer_id) n.* from ({entries}) as n"
        " where not exists (select 1 from {enrolments} as x"
        "  where x.journey = %(journey)s and x.entry_key = n.entry_key)"
        " and not exists (select 1 from {enrolments} as x"
        "  where x.journey = %(journey)s and x.customer_id = n.customer_id"
        "  and (x.status = 'active'{enrolled_before}))"
        " order by n.customer_id, n.entered_at, n.entry_key),"
        " enrolled as (insert into {enrolments} (journey, version, customer_id, entry_key,"
        "  entered_at, time_zone, context, step, arrived_at, enrolled_as_of)"
        " select %(journey)s, %(version)s, n.customer_id, n.entry_key, n.entered_at,"
        "  coalesce(c.timezone, 'UTC'), n.context, {first}, n.entered_at, %(as_of)s"
        " from entries as n left join marts.dim_customers as c on c.customer_id = n.customer_id"
        " on conflict do nothing returning enrolment_id, step, arrived_at),"
        " recorded as (insert into messaging.journey_transitions"
        " (enrolment_id, from_step, to_step, moved_at, reason, as_of)"
        " select enrolment_id, null, step, arrived_at, 'entered', %(as_of)s from enrolled)"
        " select count(*) from enrolled"
    ).format(
        entries=_entries(spec),
        enrolments=ENROLMENTS,
        enrolled_before=enrolled_before,
        first=sql.Literal(spec.steps[0].id),
    )
    return conn.execute(statement, params).fetchone()[0]


def _exit_conditions(spec: JourneySpec) -> dict[str, sql.Composed]:
    """Each goal of `exit_when`, as a test on the enrolment `e` at the as-of."""
    since_entry = sql.SQL("> e.entered_at and {} <= %(as_of)s")
    conditions = {
        "order": sql.SQL(
            "exists (select 1 from marts.fct_orders as o where o.customer_id = e.customer_id"
            " and o.ordered_at {})"
        ).format(since_entry.format(sql.SQL("o.ordered_at"))),
        "unsubscribed": sql.SQL(
            "exists (select 1 from messaging.message_events as m"
            " where m.customer_id = e.customer_id"
            " and m.type in ('unsubscribed', 'opted_out', 'complained') and m.occurred_at {})"
        ).format(since_entry.format(sql.SQL("m.occurred_at"))),
        "voucher_redeemed": sql.SQL(
            "exists (select 1 from messaging.vouchers as v inner join marts.fct_orders as o"
            " on o.customer_id = e.customer_id"
            " and v.code = any(string_to_array(o.voucher_codes, ','))"
            " where v.occurrence_key like %(journey)s || ':' || e.enrolment_id || ':%%'"
            " and o.ordered_at <= %(as_of)s)"
        ),
        "left_segment": sql.SQL(
            "not exists (select 1 from {source} as s where s.customer_id = e.customer_id)"
        ).format(source=_source(spec)),
        # another entry of theirs, as recent or more, not enrolled yet (it enrols next)
        "entered_again": sql.SQL(
            "exists (select 1 from ({entries}) as n where n.customer_id = e.customer_id"
            " and n.entry_key <> e.entry_key and n.entered_at >= e.entered_at"
            " and not exists (select 1 from {enrolments} as x"
            "  where x.journey = %(journey)s and x.entry_key = n.entry_key))"
        ).format(entries=_entries(spec), enrolments=ENROLMENTS),
    }
    return {goal: conditions[goal] for goal in spec.exit_when}


def _end_early(
    conn: psycopg.Connection, spec: JourneySpec, params: dict, result, among=NOTHING
) -> None:
    """Exits on a goal reached, then expiry: the enrolment ends at the as-of, whatever step.
    `among` narrows the enrolments looked at (a condition on `e`, starting with `and`)."""
    chains = onward(spec)
    for goal, condition in _exit_conditions(spec).items():
        reached = sql.SQL("{}{}").format(condition, among)
        _run_move(
            conn, params, None, reached, chains, result, status=sql.Literal("exited"), reason=goal
        )
    expired = sql.SQL("{} <= %(as_of)s{}").format(
        shifted(sql.SQL("e.entered_at"), spec.expire_after), among
    )
    _run_move(
        conn,
        params,
        None,
        expired,
        chains,
        result,
        status=sql.Literal("expired"),
        reason=f"expire_after {spec.expire_after}",
    )


def _advance_steps(conn: psycopg.Connection, spec: JourneySpec, params: dict, result) -> int:
    """One round: the steps that take no time in one statement, then each message and branch
    step in the order written; every move goes on through the steps that take no time."""
    chains = onward(spec)
    _set_missing_due(conn, params, chains)
    moved = _run_move(
        conn,
        params,
        None,
        chains.ready,
        chains,
        result,
        target=chains.target,
        status=chains.status,
        reason_sql=chains.reason,
        arrival=chains.arrival,
        joins=chains.joins,
    )
    for index, step in enumerate(spec.steps):
        if step.message is not None:
            successors = spec.successors(index)
            following = successors[0] if successors else None
            moved += _send(conn, spec, step, following, params, result, chains)
        elif step.branch is not None:
            moved += _branch(conn, spec, step, params, result, chains)
    return moved


def _set_missing_due(conn: psycopg.Connection, params: dict, chains: Onward) -> None:
    """A move computes the end of the wait it arrives at; this computes it for an enrolment at
    a wait without one (enrolled at it, or moved to the current version). An end that cannot be
    computed yet (a context date missing) is not written."""
    conn.execute(
        sql.SQL(
            "update {enrolments} as e set due_at = {due} where e.journey = %(journey)s"
            " and e.version = %(version)s and e.status = 'active' and e.due_at is null"
            " and {due} is not null"
        ).format(enrolments=ENROLMENTS, due=chains.due),
        params,
    )


def _go_on(conn, params, step: Step, following, ready, reason, result, chains, **options) -> int:
    """Move the customers at `step` for whom `ready` holds to `following`, or complete them."""
    if following is None:
        return _run_move(
            conn,
            params,
            step.id,
            ready,
            chains,
            result,
            status=sql.Literal("completed"),
            reason="completed",
            **options,
        )
    return _run_move(
        conn,
        params,
        step.id,
        ready,
        chains,
        result,
        target=sql.Literal(following),
        reason=reason,
        **options,
    )


def _send(conn, spec: JourneySpec, step: Step, following, params, result, chains) -> int:
    """Stage the step's message as a candidate of the judgement and go on at once: what happens
    to the message (sent, deferred, capped, …) is the judgement's, recorded in its outcome.
    The message is staged from `r`, the enrolments as they were at the step."""
    message = step.message
    assert message is not None
    variant, channel = _variant(step, params)
    key = sql.SQL(
        "%(journey)s || ':' || e.enrolment_id || ':' || {step} || ':'"
        " || floor(extract(epoch from e.arrived_at))::bigint"
    ).format(step=sql.Literal(step.id))
    staged = sql.SQL(
        "insert into decision_candidates (campaign, occurrence_key, customer_id, occurred_at,"
        " expires_at, context, wanted_channel)"
        " select {campaign}, e.occurrence_key, e.customer_id, e.arrived_at, {expires},"
        " e.context || jsonb_build_object('journey', jsonb_build_object('name', %(journey)s,"
        " 'version', e.version, 'step', {step}, 'enrolment_id', e.enrolment_id,"
        " 'variant', e.variant)), e.wanted_channel from r as e"
    ).format(
        campaign=sql.Literal(spec.campaign_of(step)),
        expires=shifted(sql.SQL("e.arrived_at"), message.expiry),
        step=sql.Literal(step.id),
    )
    count = _go_on(
        conn,
        params,
        step,
        following,
        sql.SQL("true"),
        "sent on",
        result,
        chains,
        extra={"occurrence_key": key, "variant": variant, "wanted_channel": channel},
        remember_message=True,
        after=staged,
    )
    result.messages[step.id] += count
    return count


def _variant(step: Step, params: dict) -> tuple[sql.Composable, sql.Composable]:
    """(the variant, the channel it asks for) of an experiment step's recipient: the recorded
    winner once there is one, else a deterministic weighted draw; nulls without experiment."""
    experiment = step.message.experiment if step.message else None
    if experiment is None:
        return sql.SQL("null::text"), sql.SQL("null::text")
    winner = sql.SQL(
        "(select w.variant from messaging.journey_experiment_winners as w"
        " where w.journey = %(journey)s and w.version = %(version)s and w.step = {step})"
    ).format(step=sql.Literal(step.id))
    drawn = weighted_choice(step.id, {n: v.weight for n, v in experiment.variants.items()})
    variant = sql.SQL("coalesce({}, {})").format(winner, drawn)
    channels = [
        sql.SQL("when {} then {}").format(sql.Literal(name), sql.Literal(v.channel))
        for name, v in experiment.variants.items()
        if v.channel
    ]
    if not channels:
        return variant, sql.SQL("null::text")
    return variant, sql.SQL("(case {} {} end)").format(variant, sql.SQL(" ").join(channels))


def _branch(conn, spec: JourneySpec, step: Step, params, result, chains) -> int:
    branch = step.branch
    assert branch is not None
    condition = branch.if_
    if condition.customer is not None:
        joins = sql.SQL(" left join marts.dim_customers as c on c.customer_id = e.customer_id")
        labels = (f"{condition.customer.column} matches", f"{condition.customer.column} does not")
    elif condition.date is not None:
        joins = NOTHING
        date = f"{condition.date} {condition.offset or ''}".strip()
        labels = (f"{date} had come", f"{date} had not come")
    else:
        asked = spec.campaign_of(spec.step(condition.step))
        joins = sql.SQL(" ") + asked_message(condition, asked)
        within = f" within {condition.within}" if condition.within else ""
        labels = (
            f"{condition.reaction} {condition.step}{within}",
            f"not {condition.reaction} {condition.step}{within}",
        )
    then_test, else_test = branch_tests(branch)
    moved = 0
    for taken, target, test, label in (
        ("then", branch.then, then_test, labels[0]),
        ("else", branch.else_, else_test, labels[1]),
    ):
        moved += _run_move(
            conn,
            params,
            step.id,
            test,
            chains,
            result,
            target=sql.Literal(target),
            reason=label,
            joins=joins,
            arrival=branch_arrival(branch, taken),
        )
    return moved


def _run_move(
    conn: psycopg.Connection,
    params: dict,
    step_id: str | None,
    ready: sql.Composable,
    chains: Onward,
    result: AdvanceResult,
    *,
    target: sql.Composable = NULL_TEXT,
    status: sql.Composable = ACTIVE,
    reason: str | None = None,
    reason_sql: sql.Composable | None = None,
    arrival: sql.Composable | None = None,
    joins: sql.Composable = NOTHING,
    extra: dict[str, sql.Composable] | None = None,
    remember_message: bool = False,
    after: sql.Composable | None = None,
) -> int:
    """One statement: the active enrolments (at `step_id`, if given) for which `ready` holds go
    to `target`, or end with `status` (when `target` is null); then on through the steps that
    take no time (`chains`). Each enrolment is written once, where it stops, and each move is
    recorded with its reason; `result` counts them. Returns how many enrolments moved.

    `r` holds the first moves; `path` every move, the first ones and those that follow (the
    recursion adds a level a step, so the transitions of an enrolment are inserted in the order
    it made them). Ending early (no `step_id`) happens at the as-of; a move at the step's own
    clock (`arrival`, by default when the customer reached the step).
    """
    if arrival is None:
        arrival = sql.SQL("e.arrived_at") if step_id else sql.SQL("%(as_of)s::timestamptz")
    extra = extra or {}
    columns = sql.SQL("").join(
        sql.SQL(", {} as {}").format(value, sql.Identifier(name)) for name, value in extra.items()
    )
    at_step = sql.SQL(" and e.step = {}").format(sql.Literal(step_id)) if step_id else NOTHING
    carried = [*chains.carried, *(["occurrence_key"] if remember_message else [])]
    keys = NOTHING
    if remember_message:
        keys = sql.SQL(
            ", message_keys = t.message_keys || jsonb_build_object({}, e.occurrence_key)"
        ).format(sql.Literal(step_id))
    goes_on = sql.SQL(
        "coalesce(e.status = 'active' and e.depth < {limit} and ({ready}), false)"
    ).format(limit=sql.Literal(CHAIN_LIMIT), ready=chains.ready)
    statement = sql.SQL(
        "with recursive r as (select e.enrolment_id, e.customer_id, e.time_zone, e.context,"
        " e.version, e.arrived_at, e.step as from_step, {target}::text as target,"
        " {status}::text as status, {arrival} as arrival, {reason}::text as reason{columns}"
        " from {enrolments} as e{joins}"
        " where e.journey = %(journey)s and e.version = %(version)s and e.status = 'active'"
        "{at_step} and ({ready})),"
        " path as ({first} union all {next}),"
        " moved as (update {enrolments} as t set step = e.step, arrived_at = e.arrived_at,"
        " due_at = e.due_at, status = e.status,"
        " reason = case when e.status = 'active' then t.reason else e.reason end,"
        " ended_at = case when e.status = 'active' then t.ended_at else e.moved_at end{keys}"
        " from path as e where t.enrolment_id = e.enrolment_id and not {goes_on}),"
        " recorded as (insert into messaging.journey_transitions"
        " (enrolment_id, from_step, to_step, moved_at, reason, as_of)"
        " select e.enrolment_id, e.from_step, case when e.status = 'active' then e.step end,"
        " e.moved_at, e.reason, %(as_of)s from path as e)"
        "{after}"
        " select e.from_step, case when e.status = 'active' then e.step end, e.status, e.reason,"
        " count(*), count(*) filter (where e.depth = 1) from path as e group by 1, 2, 3, 4"
    ).format(
        target=target,
        status=status,
        arrival=arrival,
        reason=reason_sql if reason_sql is not None else sql.Literal(reason),
        columns=columns,
        enrolments=ENROLMENTS,
        joins=joins,
        at_step=at_step,
        ready=ready,
        first=_path_rows(
            "r",
            sql.SQL("r"),
            {
                "depth": sql.SQL("1"),
                "from_step": sql.SQL("r.from_step"),
                "step": sql.SQL("coalesce(r.target, r.from_step)"),
                "status": sql.SQL("r.status"),
                "reason": sql.SQL("r.reason"),
                "moved_at": sql.SQL("r.arrival"),
                "arrived_at": sql.SQL(
                    "case when r.target is null then r.arrived_at else r.arrival end"
                ),
            },
            carried,
            chains,
        ),
        next=_path_rows(
            "e",
            sql.SQL("path as e{} where {}").format(chains.joins, goes_on),
            {
                "depth": sql.SQL("e.depth + 1"),
                "from_step": sql.SQL("e.step"),
                "step": sql.SQL("coalesce({}, e.step)").format(chains.target),
                "status": chains.status,
                "reason": chains.reason,
                "moved_at": chains.arrival,
                "arrived_at": sql.SQL("case when {} is null then e.arrived_at else {} end").format(
                    chains.target, chains.arrival
                ),
            },
            carried,
            chains,
        ),
        keys=keys,
        goes_on=goes_on,
        after=sql.SQL(", staged as ({})").format(after) if after is not None else NOTHING,
    )
    moved = 0
    for from_step, to_step, ended, why, count, first in conn.execute(statement, params):
        moved += first
        if to_step is not None:
            result.moves[(from_step, to_step)] += count
            continue
        result.ended[f"exited: {why}" if ended == "exited" else ended] += count
        if ended == "completed" and from_step not in chains.exits:
            result.moves[(from_step, "completed")] += count
    return moved


def _path_rows(
    alias: str,
    source: sql.Composable,
    values: dict[str, sql.Composable],
    carried: list[str],
    chains: Onward,
) -> sql.Composed:
    """The rows of a move's path from `source` (`alias`): where each enrolment stands after
    the move, with the end of the wait it arrived at (`chains.due`, on the row as `e`)."""
    kept = ["enrolment_id", "customer_id", "time_zone", *carried]
    fields = [sql.Identifier(alias, name) for name in kept]
    fields += [sql.SQL("{} as {}").format(v, sql.Identifier(n)) for n, v in values.items()]
    return sql.SQL(
        "select e.*, (case when e.status = 'active' then {due} end)::timestamptz as due_at"
        " from (select {fields} from {source}) as e"
    ).format(due=chains.due, fields=sql.SQL(", ").join(fields), source=source)
