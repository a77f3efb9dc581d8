"""The daily schedule runs everything as of its scheduled instant."""

from __future__ import annotations

from datetime import UTC, datetime

from dagster import build_schedule_context

from orchestration.jobs import DAILY_JOB
from sensors.schedules import build_daily_schedule


def test_the_daily_run_is_as_of_the_scheduled_instant_and_runs_once_per_tick():
    schedule = build_daily_schedule(DAILY_JOB)
    tick = datetime(2026, 11, 23, 5, 0, tzinfo=UTC)

    request = schedule.evaluate_tick(build_schedule_context(scheduled_execution_time=tick))

    [run] = request.run_requests
    assert run.tags["touchpoint/as_of"] == "2026-11-23T05:00:00+00:00"
    assert run.run_key == "2026-11-23T05:00:00+00:00"
