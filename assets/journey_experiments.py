"""Journey experiments measured and decided (docs/journeys.md, "Experiments").

An experiment step's recipients each get one variant; the journey engine writes it into the
occurrence's context (``context -> 'journey' ->> 'variant'``). Here, per (journey, version,
step) and variant: the recipients sent it, and how many opened, clicked and converted
(``sql/journey_variant_figures.sql``, on ``marts.fct_messages`` and ``marts.fct_conversions``, so
the figures are the campaign report's), with the statistics of ``models/experiment_stats.py``.

For a step with ``winner: auto``, ``decide_winners`` records the winner in
``messaging.journey_experiment_winners`` once the rule settles on one, with the evidence it saw;
a recorded winner is never changed, and the engine sends the step's later recipients that
variant (``recorded_winners``). A step with ``winner: manual`` is only reported.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import NamedTuple

import psycopg
from psycopg.rows import dict_row
from psycopg.types.json import Jsonb

from models.experiment_stats import (
    SIGNIFICANCE,
    Counts,
    VariantStatistics,
    decide_winner,
    variant_statistics,
)
from models.journey_steps import Experiment
from models.journeys import JourneySpec

_FIGURES = (Path(__file__).parent / "sql" / "journey_variant_figures.sql").read_text()

# Every experiment of every journey version the engine has recorded, from its stored spec.
_EXPERIMENTS = """
select versions.journey, versions.version, steps.step ->> 'id' as step,
    steps.step -> 'message' -> 'experiment' as experiment
from messaging.journey_versions as versions
cross join lateral jsonb_array_elements(versions.spec -> 'steps') as steps (step)
where jsonb_typeof(steps.step -> 'message' -> 'experiment') = 'object'
"""

_WINNERS = "select journey, version, step, variant from messaging.journey_experiment_winners"

_RECORD = """
insert into messaging.journey_experiment_winners
    (journey, version, step, variant, decided_at, evidence)
values (%s, %s, %s, %s, %s, %s)
on conflict (journey, version, step) do nothing
returning variant
"""


class ExperimentStep(NamedTuple):
    journey: str
    version: str
    step: str


@dataclass(frozen=True)
class VariantFigures:
    """Recipients of one variant, each counted once: sent it, and of those who opened, clicked,
    converted."""

    sent: int = 0
    opened: int = 0
    clicked: int = 0
    converted: int = 0

    @property
    def counts(self) -> Counts:
        return Counts(recipients=self.sent, conversions=self.converted)


@dataclass(frozen=True)
class ExperimentResult:
    """One experiment step as measured: every variant of its spec (in the spec's order), its
    figures and statistics, the winner recorded (if any) and the one the rule picks now."""

    step: ExperimentStep
    experiment: Experiment
    figures: dict[str, VariantFigures]
    statistics: dict[str, VariantStatistics]
    recorded_winner: str | None
    significant: str | None


def read_variant_figures(
    conn: psycopg.Connection, as_of: datetime | None = None
) -> dict[ExperimentStep, dict[str, VariantFigures]]:
    """Every experiment step with at least one occurrence carrying a variant, by variant."""
    figures: dict[ExperimentStep, dict[str, VariantFigures]] = {}
    with conn.cursor(row_factory=dict_row) as cursor:
        for row in cursor.execute(_FIGURES, {"as_of": as_of}):
            key = ExperimentStep(row["journey"], row["version"], row["step"])
            figures.setdefault(key, {})[row["variant"]] = VariantFigures(
                row["sent"], row["opened"], row["clicked"], row["converted"]
            )
    return figures


def measure(
    step: ExperimentStep,
    experiment: Experiment,
    figures: dict[str, VariantFigures],
    recorded_winner: str | None = None,
) -> ExperimentResult:
    """The result of one experiment from its variants' figures (a variant nobody got yet has
    zeros), the control first, then the others by name."""
    others = sorted(name for name in experiment.variants if name != experiment.control)
    complete = {name: figures.get(name, VariantFigures()) for name in [experiment.control, *others]}
    counts = {name: f.counts for name, f in complete.items()}
    return ExperimentResult(
        step=step,
        experiment=experiment,
        figures=complete,
        statistics=variant_statistics(counts, experiment.control),
        recorded_winner=recorded_winner,
        significant=decide_winner(counts, experiment.min_sample),
    )


def read_experiments(
    conn: psycopg.Connection, as_of: datetime | None = None
) -> list[ExperimentResult]:
    """Every experiment some recipient was split into, as the report shows it: its spec is the
    one ``messaging.journey_versions`` stored for the version the recipients entered."""
    figures = read_variant_figures(conn, as_of)
    if not figures:
        return []
    experiments = {
        ExperimentStep(journey, version, step): Experiment.model_validate(spec)
        for journey, version, step, spec in conn.execute(_EXPERIMENTS)
    }
    winners = _recorded(conn)
    return [
        measure(step, experiments[step], by_variant, winners.get(step))
        for step, by_variant in figures.items()
        if step in experiments
    ]


def decide_winners(
    conn: psycopg.Connection, journeys: Iterable[JourneySpec], as_of: datetime
) -> dict[ExperimentStep, str]:
    """Record the winner of every ``winner: auto`` experiment of these journey versions that the
    rule (``models/experiment_stats.decide_winner``) settles on as of `as_of`, with the evidence;
    a step already decided is left as it is. Returns the winners recorded by this call."""
    figures = read_variant_figures(conn, as_of)
    decided = _recorded(conn)
    recorded: dict[ExperimentStep, str] = {}
    with conn.transaction():
        for step, experiment in _auto_experiments(journeys):
            if step in decided:
                continue
            result = measure(step, experiment, figures.get(step, {}))
            if result.significant is None:
                continue
            inserted = conn.execute(
                _RECORD, (*step, result.significant, as_of, Jsonb(_evidence(result, as_of)))
            ).fetchone()
            if inserted:
                recorded[step] = inserted[0]
    return recorded


def recorded_winners(conn: psycopg.Connection, journey: str, version: str) -> dict[str, str]:
    """Each decided experiment step of one journey version, with the variant that won it."""
    return {
        step.step: variant
        for step, variant in _recorded(conn).items()
        if (step.journey, step.version) == (journey, version)
    }


def _evidence(result: ExperimentResult, as_of: datetime) -> dict:
    """What a decision saw, stored with it: the rule and, per variant, the figures, the rate
    with its 95 % interval, P(beats the control) and P(best)."""
    return {
        "as_of": as_of.isoformat(),
        "rule": f"P(best) >= {SIGNIFICANCE} with every variant at min_sample recipients or more",
        "control": result.experiment.control,
        "min_sample": result.experiment.min_sample,
        "variants": {
            name: {
                "sent": figures.sent,
                "opened": figures.opened,
                "clicked": figures.clicked,
                "converted": figures.converted,
                "rate": figures.counts.rate,
                "interval": _interval(result.statistics[name]),
                "p_beats_control": result.statistics[name].beats_control,
                "p_best": result.statistics[name].best,
            }
            for name, figures in result.figures.items()
        },
    }


def _interval(statistics: VariantStatistics) -> list[float] | None:
    interval = statistics.interval
    return [interval.low, interval.high] if interval else None


def _auto_experiments(
    journeys: Iterable[JourneySpec],
) -> Iterable[tuple[ExperimentStep, Experiment]]:
    for journey in journeys:
        for step in journey.steps:
            experiment = step.message.experiment if step.message else None
            if experiment is not None and experiment.winner == "auto":
                yield ExperimentStep(journey.name, journey.version, step.id), experiment


def _recorded(conn: psycopg.Connection) -> dict[ExperimentStep, str]:
    return {
        ExperimentStep(journey, version, step): variant
        for journey, version, step, variant in conn.execute(_WINNERS)
    }
