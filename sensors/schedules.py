"""Schedules: every asset daily, the date-based triggers hourly; each run is as of its tick."""

from __future__ import annotations

from dagster import (
    DefaultScheduleStatus,
    JobDefinition,
    RunRequest,
    ScheduleEvaluationContext,
    schedule,
)

from models.as_of import as_of_tags


def build_as_of_schedule(name: str, job: JobDefinition, cron: str, description: str):
    """A schedule whose runs are as of their scheduled instant, once per tick."""

    @schedule(
        name=name,
        job=job,
        cron_schedule=cron,
        execution_timezone="UTC",
        default_status=DefaultScheduleStatus.RUNNING,
        description=description,
    )
    def as_of_schedule(context: ScheduleEvaluationContext) -> RunRequest:
        as_of = context.scheduled_execution_time
        return RunRequest(run_key=as_of.isoformat(), tags=as_of_tags(as_of))

    return as_of_schedule


def build_daily_schedule(job: JobDefinition, cron: str = "0 5 * * *"):
    return build_as_of_schedule(
        "daily_refresh", job, cron, "Ingest, model and act once a day, as of the scheduled instant."
    )


def build_hourly_date_schedule(job: JobDefinition, cron: str = "0 * * * *"):
    """Hourly, because a local day starts at a different UTC hour in every time zone."""
    return build_as_of_schedule(
        "date_triggers_hourly", job, cron, "Birthdays and vehicle dates, every hour."
    )
