"""The provider events sensor: SES events waiting in SQS → a run that records them.

The backlog is the queue's depth (``ApproximateNumberOfMessages``: messages visible to a
receive), read from the ``provider_event_queue`` resource. While a drain run is queued or going,
the sensor waits (``sensors.backlog``).

No ``from __future__ import annotations`` here: Dagster reads the sensor function's annotations
to find its resources.
"""

from dagster import (
    DefaultSensorStatus,
    JobDefinition,
    RunRequest,
    SensorEvaluationContext,
    SkipReason,
    sensor,
)

from assets.resources import ProviderEventQueue
from sensors.backlog import backlog_result

PROVIDER_EVENTS_SENSOR_INTERVAL_SECONDS = 30


def provider_events_request(waiting: int, active_runs: int) -> RunRequest | SkipReason:
    if waiting == 0:
        return SkipReason("no provider event waiting in the queue")
    if active_runs:
        return SkipReason(f"{waiting} events waiting; a run recording them is already going")
    return RunRequest()


def build_provider_events_sensor(job: JobDefinition):
    @sensor(
        name="provider_events_sensor",
        job=job,
        minimum_interval_seconds=PROVIDER_EVENTS_SENSOR_INTERVAL_SECONDS,
        default_status=DefaultSensorStatus.RUNNING,
        description="Records SES events (deliveries, bounces, complaints, opens, clicks) as "
        "soon as they wait in the provider event queue.",
    )
    def provider_events_sensor(
        context: SensorEvaluationContext, provider_event_queue: ProviderEventQueue
    ):
        return backlog_result(context, job, provider_event_queue.depth(), provider_events_request)

    return provider_events_sensor
