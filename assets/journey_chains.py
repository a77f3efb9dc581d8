"""The steps an enrolment goes through at once: a split, an exit, a wait whose end has come.

A move goes on through them in the statement that makes it (assets/journey_engine.py,
`_run_move`), so a customer leaving a wait through a split to the next wait is written once,
not once a step; each move is still recorded, with its reason and its time on the journey's
clock. A message step is not among them (it stages its message, once, in its own statement),
nor a branch: one on a reaction waits for its message's judgement, and one on a customer
attribute joins `dim_customers` once for all its customers in its own statement.

Every expression reads `e`, an enrolment where it stands: a row of journey_enrolments or of a
move's path, which share the columns read (step, arrived_at, due_at, customer_id, time_zone,
context); and `k.arm`, the arm a split draws, computed once a row by `joins`.
"""

from __future__ import annotations

from dataclasses import dataclass

from psycopg import sql

from assets.journey_statements import wait_due, weighted_choice
from models.journeys import JourneySpec

NOTHING = sql.SQL("")


@dataclass(frozen=True)
class Onward:
    """How an enrolment goes on at once from the step it is at, as SQL on `e`."""

    ready: sql.Composable  # whether it goes on now (null: no)
    joins: sql.Composable  # what the other expressions need beside `e`
    target: sql.Composable  # the step it goes to; null when it ends
    status: sql.Composable  # 'active', or how it ends
    reason: sql.Composable
    arrival: sql.Composable  # when it moves, on the journey's clock
    due: sql.Composable  # at a wait: when the wait ends for `e` (on e.arrived_at); else null
    carried: tuple[str, ...]  # the columns of `e` the expressions read beyond the usual ones
    exits: frozenset[str]  # the exit steps (an end there is not a move)


def onward(spec: JourneySpec) -> Onward:
    waits, splits = {}, {}
    target, status, reason = [], [], []
    for index, step in enumerate(spec.steps):
        name = sql.Literal(step.id)
        successors = spec.successors(index)
        if step.wait is not None:
            waits[step.id] = step.wait
            following = sql.Literal(successors[0]) if successors else sql.SQL("null")
            target.append(sql.SQL("when {} then {}").format(name, following))
            done = "waited" if successors else "completed"
            reason.append(sql.SQL("when {} then {}").format(name, sql.Literal(done)))
            if not successors:
                status.append(sql.SQL("when {} then 'completed'").format(name))
        elif step.split is not None:
            splits[step.id] = step.split
            arms = sql.SQL(" ").join(
                sql.SQL("when {} then {}").format(sql.Literal(arm), sql.Literal(way.next))
                for arm, way in step.split.arms.items()
            )
            target.append(sql.SQL("when {} then case k.arm {} end").format(name, arms))
            reason.append(sql.SQL("when {} then 'arm ' || k.arm").format(name))
        elif step.exit is not None:
            ending = "completed" if step.exit.reason == "completed" else "exited"
            status.append(sql.SQL("when {} then {}").format(name, sql.Literal(ending)))
            reason.append(sql.SQL("when {} then {}").format(name, sql.Literal(step.exit.reason)))
    exits = frozenset(step.id for step in spec.steps if step.exit is not None)
    return Onward(
        ready=_ready(waits, splits, exits),
        joins=_arm(splits),
        target=_case(target, "text"),
        status=sql.SQL("coalesce({}, 'active')").format(_case(status, "text")),
        reason=_case(reason, "text"),
        arrival=_arrival(waits),
        due=_case(
            [
                sql.SQL("when {} then {}").format(sql.Literal(step), wait_due(wait))
                for step, wait in waits.items()
            ],
            "timestamptz",
        ),
        carried=("context",) if any(wait.until or wait.first_of for wait in waits.values()) else (),
        exits=exits,
    )


def _case(whens: list[sql.Composable], kind: str) -> sql.Composed:
    if not whens:
        return sql.SQL("null::{}").format(sql.SQL(kind))
    return sql.SQL("(case e.step {} end)::{}").format(sql.SQL(" ").join(whens), sql.SQL(kind))


def _steps(ids) -> sql.Composed:
    return sql.SQL("e.step in ({})").format(sql.SQL(", ").join(map(sql.Literal, ids)))


def _ready(waits: dict, splits: dict, exits: frozenset[str]) -> sql.Composable:
    ready = []
    if splits or exits:
        ready.append(_steps([*splits, *sorted(exits)]))
    if waits:
        ready.append(sql.SQL("({} and e.due_at <= %(as_of)s)").format(_steps(waits)))
    return sql.SQL(" or ").join(ready) if ready else sql.SQL("false")


def _arrival(waits: dict) -> sql.Composable:
    """A wait is left when it ends; a split or an exit at once."""
    if not waits:
        return sql.SQL("e.arrived_at")
    return sql.SQL("(case when {} then e.due_at else e.arrived_at end)").format(_steps(waits))


def _arm(splits: dict) -> sql.Composable:
    """The arm of the split `e` is at, drawn once a row (`offset 0` keeps the planner from
    copying the draw, a sha256, into every expression that reads it)."""
    if not splits:
        return NOTHING
    draws = sql.SQL(" ").join(
        sql.SQL("when {} then {}").format(
            sql.Literal(step),
            weighted_choice(step, {name: arm.weight for name, arm in split.arms.items()}),
        )
        for step, split in splits.items()
    )
    return sql.SQL(" cross join lateral (select case e.step {} end as arm offset 0) as k").format(
        draws
    )
