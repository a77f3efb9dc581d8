"""The daily schedule: every asset, with the scheduled instant as the run's as-of."""

from __future__ import annotations

from dagster import (
    DefaultScheduleStatus,
    JobDefinition,
    RunRequest,
    ScheduleEvaluationContext,
    schedule,
)

from models.as_of import as_of_tags


def build_daily_schedule(job: JobDefinition, cron: str = "0 5 * * *"):
    @schedule(
        name="daily_refresh",
        job=job,
        cron_schedule=cron,
        execution_timezone="UTC",
        default_status=DefaultScheduleStatus.RUNNING,
        description="Ingest, model and act once a day, as of the scheduled instant.",
    )
    def daily_refresh(context: ScheduleEvaluationContext) -> RunRequest:
        as_of = context.scheduled_execution_time
        return RunRequest(run_key=as_of.isoformat(), tags=as_of_tags(as_of))

    return daily_refresh
