"""The one code location: every asset, check, job, sensor and schedule of touchpoint."""

from __future__ import annotations

from dagster import AssetKey, Definitions

from assets.campaign_register import build_campaign_register_asset
from assets.campaign_report import REPORT_FILE, build_campaign_report_asset
from assets.campaigns import build_campaigns_asset, campaign_asset_key, source_asset_key
from assets.datamart import DBT_STEP, datamart
from assets.dispatch_assets import CHANNELS, build_dispatch_assets, dispatch_asset_key
from assets.ingest import INGEST_ASSETS, LANDING_FILES_REGISTRY
from assets.journeys import build_journeys_asset, entry_asset_key, journey_asset_key
from assets.messaging_tables import MESSAGING_TABLES
from models.journeys import JourneySpec
from orchestration.behaviour_watermark import behaviour_watermark
from orchestration.campaign_catalog import CampaignCatalog, load_catalog, load_journey_catalog
from orchestration.jobs import (
    DAILY_JOB,
    DUE_MESSAGES_JOB,
    NEW_FILES_JOB,
    behaviour_job,
    carry_on_job,
    date_triggers_job,
    dispatch_job,
    journeys_job,
)
from orchestration.journey_watch import journey_progress
from orchestration.landing_listing import landing_fingerprints
from orchestration.outbox_watch import due_message_count
from orchestration.provider_events import provider_event_pieces
from orchestration.resources import build_resources
from orchestration.settings import Settings, load_settings
from sensors.behaviour import build_behaviour_sensor
from sensors.datamart_failure import CarryOn, build_carry_on_sensor
from sensors.due_messages import build_due_messages_sensor
from sensors.journeys import build_journey_sensor
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
    journeys = load_journey_catalog(settings.journeys, catalog.specs)
    journey_keys = [journey_asset_key(journey.name) for journey in journeys]
    journey_pieces = (
        [
            build_journeys_asset(
                journeys, settings.journeys, settings.max_per_week, settings.sms_max_segments
            )
        ]
        if journeys
        else []
    )
    dispatch = build_dispatch_assets(
        [campaign_asset_key(spec.name) for spec in catalog.specs] + journey_keys,
        send_rate=settings.send_rate,
    )
    jobs = _campaign_jobs(catalog, journeys)
    journey_sensors = (
        [build_journey_sensor(journeys_job(journey_keys), journey_progress)] if journeys else []
    )
    responses = provider_event_pieces(settings)
    measurement = [
        build_campaign_register_asset(catalog.specs, journeys),
        build_campaign_report_asset(settings.reports_dir / REPORT_FILE),
    ]
    # Every job that runs dbt is followed, when dbt fails, by what it could still feed.
    carry_on = build_carry_on_sensor(
        build_carry_on(catalog, journeys),
        [DAILY_JOB, NEW_FILES_JOB, jobs["behaviour"], jobs["date"]],
        jobs["carry_on"],
    )
    return Definitions(
        assets=[
            *INGEST_ASSETS,
            LANDING_FILES_REGISTRY,
            *MESSAGING_TABLES,
            datamart,
            campaigns,
            *journey_pieces,
            *dispatch,
            *measurement,
            *responses.assets,
        ],
        jobs=[
            DAILY_JOB,
            NEW_FILES_JOB,
            DUE_MESSAGES_JOB,
            dispatch_job(),
            *jobs.values(),
            *responses.jobs,
        ],
        sensors=[
            carry_on,
            build_landing_sensor(NEW_FILES_JOB, landing_fingerprints),
            build_behaviour_sensor(jobs["behaviour"], behaviour_watermark),
            build_due_messages_sensor(DUE_MESSAGES_JOB, due_message_count),
            AUTOMATION_SENSOR,
            *journey_sensors,
            *responses.sensors,
        ],
        schedules=[build_daily_schedule(DAILY_JOB), build_hourly_date_schedule(jobs["date"])],
        resources={**build_resources(settings), **responses.resources},
    )


def _campaign_jobs(catalog: CampaignCatalog, journeys: list[JourneySpec]) -> dict:
    """Journeys run with the campaigns of their entry's kind: a behavioural entry with the
    behaviour job, the others with the hourly date job."""

    def behavioural(journey: JourneySpec) -> bool:
        return journey.entry.model in catalog.behavioural_models

    def keys(kind: str) -> list[AssetKey]:
        return [campaign_asset_key(spec.name) for spec in catalog.by_kind(kind)] + [
            journey_asset_key(j.name)
            for j in journeys
            if kind == ("behaviour" if behavioural(j) else "date")
        ]

    date_triggers = [source_asset_key(spec) for spec in catalog.by_kind("date")] + [
        entry_asset_key(j) for j in journeys if not behavioural(j)
    ]
    return {
        "behaviour": behaviour_job(keys("behaviour")),
        "date": date_triggers_job(keys("date"), date_triggers),
        "carry_on": carry_on_job(
            [campaign_asset_key(spec.name) for spec in catalog.specs]
            + [journey_asset_key(j.name) for j in journeys]
        ),
    }


def build_carry_on(catalog: CampaignCatalog, journeys: list[JourneySpec]) -> CarryOn:
    """Each campaign's source and each journey's entry model: what must have been built for
    it to carry on after a failed dbt build."""
    return CarryOn(
        source_of={campaign_asset_key(s.name): source_asset_key(s) for s in catalog.specs}
        | {journey_asset_key(j.name): entry_asset_key(j) for j in journeys},
        dispatch_keys=[dispatch_asset_key(channel) for channel in CHANNELS],
        datamart_step=DBT_STEP,
    )


defs = build_definitions(load_settings())
