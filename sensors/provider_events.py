"""The provider events sensor: SES events waiting in SQS → a run that records them.

The backlog is the queue's depth (``ApproximateNumberOfMessages``: messages visible to a
receive). While a drain run is queued or going, the sensor waits (``sensors.backlog``).
"""

from __future__ import annotations

from collections.abc import Callable

from dagster import JobDefinition, RunRequest, SkipReason

from sensors.backlog import build_backlog_sensor

PROVIDER_EVENTS_SENSOR_INTERVAL_SECONDS = 30


def provider_events_request(waiting: int, active_runs: int) -> RunRequest | SkipReason:
    if waiting == 0:
        return SkipReason("no provider event waiting in the queue")
    if active_runs:
        return SkipReason(f"{waiting} events waiting; a run recording them is already going")
    return RunRequest()


def build_provider_events_sensor(queue_depth: Callable[[], int], job: JobDefinition):
    return build_backlog_sensor(
        name="provider_events_sensor",
        job=job,
        interval_seconds=PROVIDER_EVENTS_SENSOR_INTERVAL_SECONDS,
        description="Records SES events (deliveries, bounces, complaints, opens, clicks) as "
        "soon as they wait in the provider event queue.",
        read_backlog=queue_depth,
        decide=provider_events_request,
    )
