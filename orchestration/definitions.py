"""The one code location: every asset, check, job, sensor and schedule of touchpoint."""

from __future__ import annotations

import os

from dagster import Definitions

from assets.datamart import datamart
from assets.ingest import INGEST_ASSETS
from assets.resources import dbt_env_for
from orchestration.database import database_url
from orchestration.jobs import DAILY_JOB, NEW_FILES_JOB
from orchestration.landing_listing import landing_fingerprints
from orchestration.resources import build_resources
from orchestration.settings import Settings, load_settings
from sensors.landing import build_landing_sensor
from sensors.schedules import build_daily_schedule


def build_definitions(settings: Settings) -> Definitions:
    # dbt reads its connection from the environment (profiles.yml uses env_var only).
    os.environ.update(dbt_env_for(database_url(settings)))
    return Definitions(
        assets=[*INGEST_ASSETS, datamart],
        jobs=[DAILY_JOB, NEW_FILES_JOB],
        sensors=[
            build_landing_sensor(lambda: landing_fingerprints(settings.landing), NEW_FILES_JOB)
        ],
        schedules=[build_daily_schedule(DAILY_JOB)],
        resources=build_resources(settings),
    )


defs = build_definitions(load_settings())
