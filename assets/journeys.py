"""One Dagster asset per journey (group `journeys`), downstream of its entry model, so the graph
reads trigger → journey. Like campaigns, they are one subsettable multi-asset: whichever journeys
a run selects advance together and share the weekly cap by priority; each reports where its
customers are (a funnel), what moved in this run, and why enrolments ended.

No ``from __future__ import annotations`` here: Dagster reads the asset function's annotations.
"""

from collections.abc import Iterator
from pathlib import Path

from dagster import (
    AssetExecutionContext,
    AssetKey,
    AssetsDefinition,
    AssetSpec,
    MaterializeResult,
    MetadataValue,
    ResourceParam,
    multi_asset,
)
from dagster_dbt import get_asset_key_for_model

from assets.as_of import run_as_of
from assets.datamart import datamart
from assets.journey_step import JourneyResult, funnel_rows, run_journeys
from assets.outbox_rendering import MailComposers
from assets.resources import Warehouse
from models.journeys import JourneySpec
from models.markdown_text import markdown_literal

JOURNEYS_STEP = "journeys"
JOURNEYS_GROUP = "journeys"


def journey_asset_key(name: str) -> AssetKey:
    return AssetKey(["journeys", name])


def entry_asset_key(spec: JourneySpec) -> AssetKey:
    return get_asset_key_for_model([datamart], spec.entry.model)


def _asset_spec(spec: JourneySpec) -> AssetSpec:
    return AssetSpec(
        key=journey_asset_key(spec.name),
        deps=[entry_asset_key(spec)],
        group_name=JOURNEYS_GROUP,
        kinds={"python", "postgres"},
        description=spec.description,
        metadata={
            "entry": spec.entry.model,
            "version": spec.version,
            "steps": MetadataValue.md(_steps_table(spec)),
            "priority": spec.priority,
            "holdout": spec.holdout,
        },
    )


def build_journeys_asset(
    specs: list[JourneySpec], journeys_dir: Path, max_per_week: int, sms_max_segments: int
) -> AssetsDefinition:
    by_key = {journey_asset_key(spec.name): spec for spec in specs}

    @multi_asset(name=JOURNEYS_STEP, specs=[_asset_spec(s) for s in specs], can_subset=True)
    def journeys(
        context: AssetExecutionContext,
        warehouse: Warehouse,
        senders: ResourceParam[MailComposers],
    ) -> Iterator:
        """Enrol, end and move every enrolment that is due; judge and render their messages."""
        selected = [by_key[key] for key in sorted(context.selected_asset_keys) if key in by_key]
        as_of = run_as_of(context)
        context.log.info(f"advancing {', '.join(s.name for s in selected)} as of {as_of}")
        with warehouse.connect() as conn:
            results = run_journeys(
                conn,
                selected,
                journeys_dir,
                as_of,
                max_per_week,
                sms_max_segments,
                senders.email_composer(),
            )
        for spec in selected:
            yield MaterializeResult(
                asset_key=journey_asset_key(spec.name),
                metadata=journey_metadata(spec, results[spec.name]),
            )

    return journeys


def journey_metadata(spec: JourneySpec, result: JourneyResult) -> dict:
    advance = result.advance
    return {
        "version": spec.version,
        "entered": advance.entered,
        "moved": sum(advance.moves.values()),
        "messages_rendered": result.rendered,
        "render_failed": result.render_failed,
        "funnel": MetadataValue.md(funnel_table(spec, result.funnel)),
        "transitions_this_run": MetadataValue.md(_moves_table(advance.moves)),
        "ended_this_run": MetadataValue.md(_counts_table("ended", advance.ended)),
        "messages_this_run": MetadataValue.md(_judged_table(result.judged)),
        "winners_decided_this_run": MetadataValue.md(
            _counts_table("decided", {f"{s}: {v}": 1 for s, v in result.winners.items()})
        ),
    }


def funnel_table(spec: JourneySpec, funnel: list[tuple[str, str, int]]) -> str:
    """Customers at each step now (in the order the steps are written), then those ended."""
    kinds = {step.id: step.kind for step in spec.steps}
    lines = ["| step | kind | customers |", "|---|---|---:|"]
    for row in funnel_rows(spec, funnel):
        label = markdown_literal(row.label)
        if row.ended:
            lines.append(f"| *{label}* | ended | {row.customers} |")
        else:
            lines.append(f"| {label} | {kinds.get(row.label, 'older version')} | {row.customers} |")
    return "\n".join(lines)


def _moves_table(moves) -> str:
    if not sum(moves.values()):
        return "Nothing moved in this run."
    lines = ["| from | to | customers |", "|---|---|---:|"]
    lines += [
        f"| {markdown_literal(source)} | {markdown_literal(target)} | {count} |"
        for (source, target), count in sorted(moves.items())
        if count
    ]
    return "\n".join(lines)


def _counts_table(what: str, counts) -> str:
    if not sum(counts.values()):
        return f"Nothing {what} in this run."
    lines = [f"| {what} | enrolments |", "|---|---:|"]
    lines += [f"| {markdown_literal(k)} | {v} |" for k, v in sorted(counts.items()) if v]
    return "\n".join(lines)


def _judged_table(judged) -> str:
    rows = [(step, outcome, n) for step, c in sorted(judged.items()) for outcome, n in c.items()]
    if not rows:
        return "No message judged in this run."
    lines = ["| step | outcome | messages |", "|---|---|---:|"]
    lines += [f"| {markdown_literal(s)} | {markdown_literal(o)} | {n} |" for s, o, n in rows]
    return "\n".join(lines)


def _steps_table(spec: JourneySpec) -> str:
    lines = ["| step | kind | goes on to |", "|---|---|---|"]
    for index, step in enumerate(spec.steps):
        targets = ", ".join(spec.successors(index)) or "end"
        lines.append(f"| {markdown_literal(step.id)} | {step.kind} | {markdown_literal(targets)} |")
    return "\n".join(lines)
