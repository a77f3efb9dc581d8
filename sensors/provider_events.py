"""The provider events sensor: SES events waiting in SQS → a run that records them.

The queue's depth (``ApproximateNumberOfMessages``: messages visible to a receive) is read by a
function the orchestration injects; deciding is pure. While a drain run is queued or going the
sensor waits: that run empties the queue, and a second one would only compete with it.
"""

from __future__ import annotations

from collections.abc import Callable

from dagster import (
    DagsterRunStatus,
    DefaultSensorStatus,
    JobDefinition,
    RunRequest,
    RunsFilter,
    SensorEvaluationContext,
    SensorResult,
    SkipReason,
    sensor,
)

PROVIDER_EVENTS_SENSOR_INTERVAL_SECONDS = 30
_ACTIVE = [
    DagsterRunStatus.QUEUED,
    DagsterRunStatus.NOT_STARTED,
    DagsterRunStatus.STARTING,
    DagsterRunStatus.STARTED,
]


def provider_events_request(waiting: int, active_runs: int) -> RunRequest | SkipReason:
    if waiting == 0:
        return SkipReason("no provider event waiting in the queue")
    if active_runs:
        return SkipReason(f"{waiting} events waiting; a run recording them is already going")
    return RunRequest()


def build_provider_events_sensor(queue_depth: Callable[[], int], job: JobDefinition):
    @sensor(
        name="provider_events_sensor",
        job=job,
        minimum_interval_seconds=PROVIDER_EVENTS_SENSOR_INTERVAL_SECONDS,
        default_status=DefaultSensorStatus.RUNNING,
        description="Records SES events (deliveries, bounces, complaints, opens, clicks) as "
        "soon as they wait in the provider event queue.",
    )
    def provider_events_sensor(context: SensorEvaluationContext):
        active = context.instance.get_runs_count(RunsFilter(job_name=job.name, statuses=_ACTIVE))
        decision = provider_events_request(queue_depth(), active)
        if isinstance(decision, SkipReason):
            return SensorResult(skip_reason=decision)
        return SensorResult(run_requests=[decision])

    return provider_events_sensor
