"""The due-messages sensor: outbox rows that need a dispatcher now → a dispatch run.

That is a deferred message whose ``send_after`` has come (its recipient's send window opened,
or a retry's back-off ended), a queued message past its expiry (recorded ``expired``), or a row
a dead worker left ``sending`` past its lease (recorded ``in_doubt``). The count is read by a
function the orchestration injects; deciding is pure.

While a dispatch run is queued or going, the sensor waits: that run claims what is due, and a
second one would only find the rows already claimed.
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

DUE_MESSAGES_SENSOR_INTERVAL_SECONDS = 60
_ACTIVE = [
    DagsterRunStatus.QUEUED,
    DagsterRunStatus.NOT_STARTED,
    DagsterRunStatus.STARTING,
    DagsterRunStatus.STARTED,
]


def due_messages_request(due: int, active_runs: int) -> RunRequest | SkipReason:
    if due == 0:
        return SkipReason("no message due")
    if active_runs:
        return SkipReason(f"{due} due; a dispatch run is already going")
    return RunRequest()


def build_due_messages_sensor(count_due: Callable[[], int], job: JobDefinition):
    @sensor(
        name="due_messages_sensor",
        job=job,
        minimum_interval_seconds=DUE_MESSAGES_SENSOR_INTERVAL_SECONDS,
        default_status=DefaultSensorStatus.RUNNING,
        description="Sends deferred messages when their send window opens and retries when "
        "their back-off ends; records expired and in-doubt rows.",
    )
    def due_messages_sensor(context: SensorEvaluationContext):
        active = context.instance.get_runs_count(RunsFilter(job_name=job.name, statuses=_ACTIVE))
        decision = due_messages_request(count_due(), active)
        if isinstance(decision, SkipReason):
            return SensorResult(skip_reason=decision)
        return SensorResult(run_requests=[decision])

    return due_messages_sensor
