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

# Below the daemon's own loop, which looks at the sensors every 5 s: at 5 s too, a look that
# started a hair less than 5 s after the last one's tick was skipped, so an event waited 5–10 s
# now and then (posted → tick 4.8 s at the median, 7.7 s at most over 10 events). At 1 s every
# loop looks, and an event waits 0–5 s for it. Each look reads only the newest blocks
# (orchestration/behaviour_watermark.py).
BEHAVIOUR_SENSOR_INTERVAL_SECONDS = 1


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
