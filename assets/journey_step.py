"""One journeys step without Dagster: advance every journey, judge the messages its customers
reached together with the campaigns' policy layer, then render what is to be sent.

All journeys of a run advance inside one judgement (one transaction, under the decisions lock),
so their messages share the weekly cap by priority, and a run cut off anywhere leaves either
every move with its messages or none.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import psycopg

from assets.journey_engine import AdvanceResult, advance_journey, record_version, versions_in_flight
from assets.journey_experiments import decide_winners
from assets.journey_rendering import JourneyRenderer, journey_voucher_terms
from assets.occurrence_decisions import DEFAULT_MAX_PER_WEEK, judge
from assets.outbox_rendering import render_pending
from models.journeys import JourneySpec
from senders.email_composition import EmailComposer
from senders.sms_composition import DEFAULT_MAX_SEGMENTS


@dataclass
class JourneyResult:
    """What one run did to one journey, and where its customers are now."""

    advance: AdvanceResult
    judged: dict[str, Counter] = field(default_factory=dict)  # step → outcomes this run
    rendered: int = 0
    render_failed: int = 0
    funnel: list[tuple[str, str, int]] = field(default_factory=list)  # (status, step, count)
    winners: dict[str, str] = field(default_factory=dict)  # step → variant decided this run


def run_journeys(
    conn: psycopg.Connection,
    specs: list[JourneySpec],
    journeys_dir: Path,
    as_of: datetime,
    max_per_week: int = DEFAULT_MAX_PER_WEEK,
    sms_max_segments: int = DEFAULT_MAX_SEGMENTS,
    composer: EmailComposer | None = None,
) -> dict[str, JourneyResult]:
    """Settle experiments whose result is in, then advance, judge and render these journeys as
    of `as_of` (mails composed with ``composer`` when given); a result per journey."""
    advances: dict[str, AdvanceResult] = {}
    with conn.transaction():
        for spec in specs:
            record_version(conn, spec)
        versions = _all_versions(conn, specs)
        winners = decide_winners(conn, versions, as_of) if _auto_winners(versions) else {}

    def stage(conn: psycopg.Connection, decide: Callable[[], None]) -> None:
        for spec in specs:
            versions = versions_in_flight(conn, spec)
            advances[spec.name] = advance_journey(conn, spec, as_of, versions, decide)

    outcomes = judge(conn, as_of, max_per_week, stage)
    renderer = JourneyRenderer(journeys_dir, specs, sms_max_segments)
    voucher_terms = journey_voucher_terms(specs)
    results = {}
    for spec in specs:
        campaigns = {spec.campaign_of(step): step.id for step in spec.message_steps}
        counts = render_pending(conn, list(campaigns), renderer.render, voucher_terms, composer)
        results[spec.name] = JourneyResult(
            advance=advances[spec.name],
            judged={step: outcomes[c] for c, step in campaigns.items() if c in outcomes},
            rendered=counts["rendered"],
            render_failed=counts["failed"],
            funnel=journey_funnel(conn, spec.name),
            winners={k.step: v for k, v in winners.items() if k.journey == spec.name},
        )
    return results


def _auto_winners(specs: list[JourneySpec]) -> bool:
    """Whether an experiment picks its winner itself (reading the measured marts to do so)."""
    return any(
        step.message.experiment.winner == "auto"
        for spec in specs
        for step in spec.message_steps
        if step.message and step.message.experiment
    )


def _all_versions(conn: psycopg.Connection, specs: list[JourneySpec]) -> list[JourneySpec]:
    return [version for spec in specs for version in versions_in_flight(conn, spec).values()]


def journey_funnel(conn: psycopg.Connection, journey: str) -> list[tuple[str, str, int]]:
    """(status, step for the active or reason for the ended, count), by status and label."""
    return conn.execute(
        "select status, case when status = 'active' then step else coalesce(reason, status) end,"
        " count(*) from messaging.journey_enrolments where journey = %s group by 1, 2"
        " order by 1, 2",
        (journey,),
    ).fetchall()


@dataclass(frozen=True)
class FunnelRow:
    """One line of a journey's funnel: customers at a step now, or enrolments ended one way."""

    label: str  # the step, or the outcome (`completed`, `exited: order`, …)
    customers: int
    ended: bool


def funnel_rows(spec: JourneySpec, funnel: list[tuple[str, str, int]]) -> list[FunnelRow]:
    """Customers at each step now, in the order the steps are written (then the steps only an
    older version in flight has), then the enrolments ended, by outcome and reason."""
    active = {step: count for status, step, count in funnel if status == "active"}
    steps = [step.id for step in spec.steps]
    steps += [step for step in active if step not in steps]
    rows = [FunnelRow(step, active.get(step, 0), ended=False) for step in steps]
    rows += [
        FunnelRow(status if reason == status else f"{status}: {reason}", count, ended=True)
        for status, reason, count in funnel
        if status != "active"
    ]
    return rows
