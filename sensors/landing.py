"""The landing-files sensor: a run whenever a file appears or changes in the landing zone.

The decision is a pure function of the current listing and the cursor (the fingerprints seen so
far); the function that lists the zone of the ``landing`` resource is injected by the
orchestration, so this module needs no I/O.

No ``from __future__ import annotations`` here: Dagster reads the sensor function's annotations
to find its resources.
"""

import hashlib
import json
from collections.abc import Callable, Iterable

from dagster import (
    DefaultSensorStatus,
    JobDefinition,
    RunRequest,
    SensorEvaluationContext,
    SensorResult,
    SkipReason,
    sensor,
)

from assets.landing_zone import LandingZone
from assets.resources import LandingZoneResource


def new_fingerprints(listing: Iterable[str], cursor: str | None) -> tuple[list[str], str]:
    """Fingerprints (path + size + modification or ETag) not seen before, and the next cursor."""
    seen = set(json.loads(cursor)) if cursor else set()
    current = sorted(set(listing))
    fresh = [f for f in current if f not in seen]
    return fresh, json.dumps(current)


def run_key_for(fingerprints: list[str]) -> str:
    return "landing-" + hashlib.sha256("\n".join(fingerprints).encode()).hexdigest()[:16]


def build_landing_sensor(
    job: JobDefinition,
    list_fingerprints: Callable[[LandingZone], list[str]],
    interval_seconds: int = 30,
):
    @sensor(
        name="landing_files_sensor",
        job=job,
        minimum_interval_seconds=interval_seconds,
        default_status=DefaultSensorStatus.RUNNING,
        description="Ingests and models new files as soon as they land.",
    )
    def landing_files_sensor(context: SensorEvaluationContext, landing: LandingZoneResource):
        fresh, cursor = new_fingerprints(list_fingerprints(landing.zone()), context.cursor)
        if not fresh:
            return SensorResult(skip_reason=SkipReason("no new landing files"), cursor=cursor)
        context.log.info(f"{len(fresh)} new landing file(s): {', '.join(fresh[:5])}")
        return SensorResult(run_requests=[RunRequest(run_key=run_key_for(fresh))], cursor=cursor)

    return landing_files_sensor
