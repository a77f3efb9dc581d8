"""One Dagster asset per campaign, downstream of its trigger or segment model, so the graph reads
trigger → campaign. They are one subsettable multi-asset: whichever campaigns a run selects are
judged together (the weekly cap is shared by priority), then each reports its own counts."""

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
from assets.campaign_step import CampaignResult, run_campaigns
from assets.datamart import datamart
from assets.outbox_rendering import MailComposers
from assets.resources import Warehouse
from models.campaigns import CampaignSpec
from models.markdown_text import markdown_literal

CAMPAIGNS_STEP = "campaigns"


def campaign_asset_key(name: str) -> AssetKey:
    return AssetKey(["campaigns", name])


def source_asset_key(spec: CampaignSpec) -> AssetKey:
    return get_asset_key_for_model([datamart], spec.source_model)


def _asset_spec(spec: CampaignSpec) -> AssetSpec:
    return AssetSpec(
        key=campaign_asset_key(spec.name),
        deps=[source_asset_key(spec)],
        group_name="campaigns",
        kinds={"python", "postgres"},
        description=spec.description,
        metadata={
            "source": spec.source_model,
            "channel": spec.channel,
            "priority": spec.priority,
            "holdout": spec.holdout,
        },
    )


def build_campaigns_asset(
    specs: list[CampaignSpec], campaigns_dir: Path, max_per_week: int, sms_max_segments: int
) -> AssetsDefinition:
    by_key = {campaign_asset_key(spec.name): spec for spec in specs}

    @multi_asset(name=CAMPAIGNS_STEP, specs=[_asset_spec(s) for s in specs], can_subset=True)
    def campaigns(
        context: AssetExecutionContext,
        warehouse: Warehouse,
        senders: ResourceParam[MailComposers],
    ) -> Iterator:
        """Judge each selected campaign's new occurrences and render what is to be sent, each
        mail composed with the composer dispatch sends with."""
        selected = [by_key[key] for key in sorted(context.selected_asset_keys) if key in by_key]
        as_of = run_as_of(context)
        context.log.info(f"judging {', '.join(s.name for s in selected)} as of {as_of}")
        with warehouse.connect() as conn:
            results = run_campaigns(
                conn,
                selected,
                campaigns_dir,
                as_of,
                max_per_week,
                sms_max_segments,
                senders.email_composer(),
            )
        for spec in selected:
            yield MaterializeResult(
                asset_key=campaign_asset_key(spec.name),
                metadata=campaign_metadata(results[spec.name]),
            )

    return campaigns


def campaign_metadata(result: CampaignResult) -> dict:
    """Counts a marketer reads: this run's outcomes, renders, totals, and one message."""
    metadata: dict = {
        f"judged_{outcome}": count for outcome, count in sorted(result.judged.items())
    }
    metadata["judged"] = sum(result.judged.values())
    metadata["rendered"] = result.rendered
    metadata["render_failed"] = result.render_failed
    metadata["outcomes_to_date"] = MetadataValue.md(_outcomes_table(result.outcomes_to_date))
    if result.preview:
        metadata["preview"] = MetadataValue.md(_preview(result.preview))
    return metadata


def _outcomes_table(outcomes: dict[str, int]) -> str:
    if not outcomes:
        return "No occurrence judged yet."
    lines = ["| outcome | occurrences |", "|---|---:|"]
    lines += [f"| {markdown_literal(outcome)} | {count} |" for outcome, count in outcomes.items()]
    return "\n".join(lines)


def _preview(message: dict) -> str:
    """One rendered message, quoted: its text carries customer data (names, products)."""
    subject = message.get("subject")
    subject_line = f"**{markdown_literal(subject)}**\n\n" if subject else ""
    lines = (message.get("text") or "").splitlines()
    body = "\n".join(f"> {markdown_literal(line)}" for line in lines)
    heading = f"{markdown_literal(message['channel'])} ({markdown_literal(message['locale'])})"
    return f"{heading}\n\n{subject_line}{body}"
