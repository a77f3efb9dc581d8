"""Sensors that watch a backlog (outbox rows due, provider events waiting in a queue) and start
the one job that works it off.

Each sensor reads its backlog's size from the resource it is given; deciding is pure. While a
run of that job is queued or going the sensor waits: that run takes the backlog, and a second one
would only compete with it for the same rows or messages.
"""

from __future__ import annotations

from collections.abc import Callable

from dagster import (
    DagsterRunStatus,
    JobDefinition,
    RunRequest,
    RunsFilter,
    SensorEvaluationContext,
    SensorResult,
    SkipReason,
)

_ACTIVE = [
    DagsterRunStatus.QUEUED,
    DagsterRunStatus.NOT_STARTED,
    DagsterRunStatus.STARTING,
    DagsterRunStatus.STARTED,
]

# (backlog size, runs of the job still going) → a run, or why not
Decide = Callable[[int, int], RunRequest | SkipReason]


def backlog_result(
    context: SensorEvaluationContext, job: JobDefinition, backlog: int, decide: Decide
) -> SensorResult:
    """A run of ``job`` for ``backlog``, unless ``decide`` says why not."""
    active = context.instance.get_runs_count(RunsFilter(job_name=job.name, statuses=_ACTIVE))
    decision = decide(backlog, active)
    if isinstance(decision, SkipReason):
        return SensorResult(skip_reason=decision)
    return SensorResult(run_requests=[decision])
