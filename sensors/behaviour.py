"""The new-behaviour sensor: web or store events loaded since the last look → the behavioural
triggers and their campaigns, within a minute.

The watermark (the latest ``_loaded_at`` of the behaviour tables, whatever loaded them: a landing
file, the CRM, the event collector) is read from the ``warehouse`` resource by a function the
orchestration injects; deciding what to do with it is pure.

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

# Dagster's floor, and its daemon's own loop: an event waits for the next look, half of this on
# average, before the run that acts on it is even created. Each look reads only the newest blocks
# (orchestration/behaviour_watermark.py).
BEHAVIOUR_SENSOR_INTERVAL_SECONDS = 5


def behaviour_request(
    watermark: str | None, cursor: str | None, now: datetime
) -> RunRequest | SkipReason:
    """A run when behaviour newer than the cursor has been loaded, at the moment noticed."""
    if watermark is None:
        return SkipReason("no web or store events loaded yet")
    if cursor is not None and watermark <= cursor:
        return SkipReason(f"no behaviour loaded since {cursor}")
    return RunRequest(run_key=f"behaviour-{watermark}", tags=as_of_tags(now))


def build_behaviour_sensor(
    job: JobDefinition, read_watermark: Callable[[Warehouse, str | None], str | None]
):
    """``read_watermark(warehouse, cursor)``: the latest load after the cursor, the cursor when
    there is none, None before any load."""

    @sensor(
        name="new_behaviour_sensor",
        job=job,
        minimum_interval_seconds=BEHAVIOUR_SENSOR_INTERVAL_SECONDS,
        default_status=DefaultSensorStatus.RUNNING,
        description="Acts on new web and store events: abandoned baskets, product interest, "
        "in-store cross-sell.",
    )
    def new_behaviour_sensor(context: SensorEvaluationContext, warehouse: Warehouse):
        watermark = read_watermark(warehouse, context.cursor)
        decision = behaviour_request(watermark, context.cursor, datetime.now(UTC))
        if isinstance(decision, SkipReason):
            return SensorResult(skip_reason=decision)
        return SensorResult(run_requests=[decision], cursor=watermark)

    return new_behaviour_sensor
