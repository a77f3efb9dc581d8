"""The journey sensor: a reaction a branch may be waiting on (a click, a reply), or a wait that
has come due, → advance the journeys and send what they reach, within a minute.

The reader comes from the orchestration (orchestration/journey_watch.py); deciding is pure.

No ``from __future__ import annotations`` here: Dagster reads the sensor function's annotations
to find its resources.
"""

from collections.abc import Callable
from datetime import UTC, datetime

from dagster import (
    DefaultSensorStatus,
    JobDefinition,
    RunRequest,
    SensorEvaluationContext,
    SensorResult,
    SkipReason,
    sensor,
)

from assets.resources import Warehouse
from models.as_of import as_of_tags

JOURNEY_SENSOR_INTERVAL_SECONDS = 15


def journey_request(
    reaction: int | None, due: str | None, cursor: str | None, now: datetime
) -> RunRequest | SkipReason:
    """A run for a reaction newer than the cursor, or for a wait due (once per due instant)."""
    seen = int(cursor) if cursor else 0
    if reaction is not None and reaction > seen:
        return RunRequest(run_key=f"journey-reaction-{reaction}", tags=as_of_tags(now))
    if due is not None:
        return RunRequest(run_key=f"journey-due-{due}", tags=as_of_tags(now))
    return SkipReason("no reaction from an enrolled customer and no wait due")


def build_journey_sensor(job: JobDefinition, read_progress: Callable[[Warehouse], object]):
    @sensor(
        name="journey_progress_sensor",
        job=job,
        minimum_interval_seconds=JOURNEY_SENSOR_INTERVAL_SECONDS,
        default_status=DefaultSensorStatus.RUNNING,
        description="Moves journeys on a reaction their branches wait for, or a wait come due.",
    )
    def journey_progress_sensor(context: SensorEvaluationContext, warehouse: Warehouse):
        progress = read_progress(warehouse)
        decision = journey_request(
            progress.reaction, progress.due, context.cursor, datetime.now(UTC)
        )
        if isinstance(decision, SkipReason):
            return SensorResult(skip_reason=decision)
        cursor = str(max(progress.reaction or 0, int(context.cursor or 0)))
        return SensorResult(run_requests=[decision], cursor=cursor)

    return journey_progress_sensor
