"""The one code location: every asset, check, job, sensor and schedule of touchpoint."""

from __future__ import annotations

from dagster import AssetKey, Definitions

from assets.campaign_register import build_campaign_register_asset
from assets.campaign_report import REPORT_FILE, build_campaign_report_asset
from assets.campaigns import build_campaigns_asset, campaign_asset_key, source_asset_key
from assets.datamart import DBT_STEP, datamart
from assets.dispatch_assets import CHANNELS, build_dispatch_assets, dispatch_asset_key
from assets.ingest import INGEST_ASSETS
from assets.messaging_tables import MESSAGING_TABLES
from orchestration.behaviour_watermark import behaviour_watermark
from orchestration.campaign_catalog import CampaignCatalog, load_catalog
from orchestration.jobs import (
    DAILY_JOB,
    DUE_MESSAGES_JOB,
    NEW_FILES_JOB,
    behaviour_job,
    carry_on_job,
    date_triggers_job,
)
from orchestration.landing_listing import landing_fingerprints
from orchestration.outbox_watch import due_message_count
from orchestration.provider_events import provider_event_pieces
from orchestration.resources import build_resources
from orchestration.settings import Settings, load_settings
from sensors.behaviour import build_behaviour_sensor
from sensors.datamart_failure import CarryOn, build_carry_on_sensor
from sensors.due_messages import build_due_messages_sensor
from sensors.landing import build_landing_sensor
from sensors.schedules import build_daily_schedule, build_hourly_date_schedule
from sensors.segments import AUTOMATION_SENSOR, judge_segment_entries


def build_definitions(settings: Settings) -> Definitions:
    catalog = load_catalog(settings.campaigns)
    campaigns = judge_segment_entries(
        build_campaigns_asset(
            catalog.specs, settings.campaigns, settings.max_per_week, settings.sms_max_segments
        ),
        [campaign_asset_key(spec.name) for spec in catalog.by_kind("segment")],
    )
    dispatch = build_dispatch_assets(
        [campaign_asset_key(spec.name) for spec in catalog.specs], send_rate=settings.send_rate
    )
    jobs = _campaign_jobs(catalog)
    responses = provider_event_pieces(settings)
    measurement = [
        build_campaign_register_asset(catalog.specs),
        build_campaign_report_asset(settings.reports_dir / REPORT_FILE),
    ]
    # Every job that runs dbt is followed, when dbt fails, by what it could still feed.
    carry_on = build_carry_on_sensor(
        build_carry_on(catalog),
        [DAILY_JOB, NEW_FILES_JOB, jobs["behaviour"], jobs["date"]],
        jobs["carry_on"],
    )
    return Definitions(
        assets=[
            *INGEST_ASSETS,
            *MESSAGING_TABLES,
            datamart,
            campaigns,
            *dispatch,
            *measurement,
            *responses.assets,
        ],
        jobs=[DAILY_JOB, NEW_FILES_JOB, DUE_MESSAGES_JOB, *jobs.values(), *responses.jobs],
        sensors=[
            carry_on,
            build_landing_sensor(NEW_FILES_JOB, landing_fingerprints),
            build_behaviour_sensor(jobs["behaviour"], behaviour_watermark),
            build_due_messages_sensor(DUE_MESSAGES_JOB, due_message_count),
            AUTOMATION_SENSOR,
            *responses.sensors,
        ],
        schedules=[build_daily_schedule(DAILY_JOB), build_hourly_date_schedule(jobs["date"])],
        resources={**build_resources(settings), **responses.resources},
    )


def _campaign_jobs(catalog: CampaignCatalog) -> dict:
    def keys(kind: str) -> list[AssetKey]:
        return [campaign_asset_key(spec.name) for spec in catalog.by_kind(kind)]

    date_triggers = [source_asset_key(spec) for spec in catalog.by_kind("date")]
    return {
        "behaviour": behaviour_job(keys("behaviour")),
        "date": date_triggers_job(keys("date"), date_triggers),
        "carry_on": carry_on_job([campaign_asset_key(spec.name) for spec in catalog.specs]),
    }


def build_carry_on(catalog: CampaignCatalog) -> CarryOn:
    return CarryOn(
        source_of={campaign_asset_key(s.name): source_asset_key(s) for s in catalog.specs},
        dispatch_keys=[dispatch_asset_key(channel) for channel in CHANNELS],
        datamart_step=DBT_STEP,
    )


defs = build_definitions(load_settings())
