"""The campaign catalog as a table, ``messaging.campaigns``: the datamart measures each campaign by
its own conversion window and holdout (campaigns/*.yml), so the asset writing it runs before the
dbt build that reads it (the dbt source ``messaging.campaigns`` has this asset's key)."""

from __future__ import annotations

import psycopg
from dagster import AssetKey, AssetsDefinition, MaterializeResult, MetadataValue, asset
from psycopg.types.json import Jsonb

from assets.messaging_tables import MESSAGING_GROUP
from assets.resources import Warehouse
from models.campaigns import CampaignSpec
from models.journeys import JourneySpec
from models.markdown_text import markdown_literal
from warehouse.messaging_schema import migrate_messaging

CAMPAIGN_REGISTER_KEY = AssetKey(["messaging", "campaigns"])

_UPSERT = """
insert into messaging.campaigns (
    campaign, description, source_model, channel, priority, holdout, marketing,
    conversion_goal, conversion_window_days, voucher, active, registered_at
)
values (
    %(campaign)s, %(description)s, %(source_model)s, %(channel)s, %(priority)s, %(holdout)s,
    %(marketing)s, %(conversion_goal)s, %(conversion_window_days)s, %(voucher)s, true, now()
)
on conflict (campaign) do update set
    description = excluded.description,
    source_model = excluded.source_model,
    channel = excluded.channel,
    priority = excluded.priority,
    holdout = excluded.holdout,
    marketing = excluded.marketing,
    conversion_goal = excluded.conversion_goal,
    conversion_window_days = excluded.conversion_window_days,
    voucher = excluded.voucher,
    active = true,
    registered_at = excluded.registered_at
"""

# A campaign removed from the folder keeps its row, so its past messages are still measured.
_RETIRE = "update messaging.campaigns set active = false where not (campaign = any(%s))"


def register_row(spec: CampaignSpec) -> dict:
    return {
        "campaign": spec.name,
        "description": spec.description,
        "source_model": spec.source_model,
        "channel": spec.channel,
        "priority": spec.priority,
        "holdout": spec.holdout,
        "marketing": spec.marketing,
        "conversion_goal": spec.conversion.goal,
        "conversion_window_days": spec.conversion.window_days,
        "voucher": Jsonb(spec.voucher.model_dump(mode="json")) if spec.voucher else None,
    }


def journey_register_rows(journey: JourneySpec) -> list[dict]:
    """A journey's message steps are measured as campaigns, by the journey's policy."""
    rows = []
    for step in journey.message_steps:
        message = step.message
        assert message is not None
        rows.append(
            {
                "campaign": journey.campaign_of(step),
                "description": f"{journey.name}, step {step.id}: {journey.description}",
                "source_model": journey.entry.model,
                "channel": message.channel,
                "priority": journey.priority_of(step),
                "holdout": journey.holdout_of(step),
                "marketing": journey.marketing_of(step),
                "conversion_goal": journey.conversion_of(step).goal,
                "conversion_window_days": journey.conversion_of(step).window_days,
                "voucher": Jsonb(message.voucher.model_dump(mode="json"))
                if message.voucher
                else None,
            }
        )
    return rows


def register_campaigns(conn: psycopg.Connection, rows: list[dict]) -> None:
    """Upsert every campaign of the catalog; mark the ones no longer in it inactive."""
    with conn.transaction():
        for row in rows:
            conn.execute(_UPSERT, row)
        conn.execute(_RETIRE, ([row["campaign"] for row in rows],))


def catalog_rows(specs: list[CampaignSpec], journeys: list[JourneySpec]) -> list[dict]:
    return [register_row(s) for s in specs] + [
        row for journey in journeys for row in journey_register_rows(journey)
    ]


def build_campaign_register_asset(
    specs: list[CampaignSpec], journeys: list[JourneySpec]
) -> AssetsDefinition:
    rows = catalog_rows(specs, journeys)

    @asset(key=CAMPAIGN_REGISTER_KEY, group_name=MESSAGING_GROUP, kinds={"python", "postgres"})
    def campaign_register(warehouse: Warehouse) -> MaterializeResult:
        """The campaign catalog (campaigns/*.yml, and the message steps of journeys/*.yml) as a
        table, written before each dbt build: the conversion windows and holdouts the datamart
        measures campaigns by."""
        migrate_messaging(warehouse.url)
        with warehouse.connect() as conn:
            register_campaigns(conn, rows)
        return MaterializeResult(
            metadata={"campaigns": len(rows), "catalog": MetadataValue.md(_catalog(rows))}
        )

    return campaign_register


def _catalog(rows: list[dict]) -> str:
    lines = [
        "| campaign | channel | conversion window | holdout |",
        "|---|---|---:|---:|",
    ]
    lines += [
        f"| {markdown_literal(r['campaign'])} | {markdown_literal(r['channel'])} "
        f"| {r['conversion_window_days']} days | {r['holdout']:.0%} |"
        for r in rows
    ]
    return "\n".join(lines)
