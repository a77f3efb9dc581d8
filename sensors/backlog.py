"""Sensors that watch a backlog (outbox rows due, provider events waiting in a queue) and start
the one job that works it off.

The backlog's size is read by a function the orchestration injects; deciding is pure. While a run
of that job is queued or going the sensor waits: that run takes the backlog, and a second one
would only compete with it for the same rows or messages.
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

_ACTIVE = [
    DagsterRunStatus.QUEUED,
    DagsterRunStatus.NOT_STARTED,
    DagsterRunStatus.STARTING,
    DagsterRunStatus.STARTED,
]

# (backlog size, runs of the job still going) → a run, or why not
Decide = Callable[[int, int], RunRequest | SkipReason]


def build_backlog_sensor(
    *,
    name: str,
    job: JobDefinition,
    interval_seconds: int,
    description: str,
    read_backlog: Callable[[], int],
    decide: Decide,
):
    @sensor(
        name=name,
        job=job,
        minimum_interval_seconds=interval_seconds,
        default_status=DefaultSensorStatus.RUNNING,
        description=description,
    )
    def backlog_sensor(context: SensorEvaluationContext):
        active = context.instance.get_runs_count(RunsFilter(job_name=job.name, statuses=_ACTIVE))
        decision = decide(read_backlog(), active)
        if isinstance(decision, SkipReason):
            return SensorResult(skip_reason=decision)
        return SensorResult(run_requests=[decision])

    return backlog_sensor
