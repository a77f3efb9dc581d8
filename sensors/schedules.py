"""The daily schedule: every asset, with the scheduled instant as the run's as-of."""

from __future__ import annotations

from dagster import (
    DefaultScheduleStatus,
    JobDefinition,
    RunRequest,
    ScheduleEvaluationContext,
    schedule,
)


def as_of_run_config(as_of_iso: str, dbt_step: str) -> dict:
    return {"ops": {dbt_step: {"config": {"as_of": as_of_iso}}}}


def build_daily_schedule(job: JobDefinition, dbt_step: str, cron: str = "0 5 * * *"):
    @schedule(
        name="daily_refresh",
        job=job,
        cron_schedule=cron,
        execution_timezone="UTC",
        default_status=DefaultScheduleStatus.RUNNING,
        description="Ingest, model and act once a day, as of the scheduled instant.",
    )
    def daily_refresh(context: ScheduleEvaluationContext) -> RunRequest:
        as_of = context.scheduled_execution_time.isoformat()
        return RunRequest(run_key=as_of, run_config=as_of_run_config(as_of, dbt_step))

    return daily_refresh
