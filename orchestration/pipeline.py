"""One full pass in process: the daily job, recorded in Dagster's instance so the UI shows it."""

from __future__ import annotations

from datetime import UTC, datetime

from dagster import DagsterInstance, ExecuteInProcessResult

from models.as_of import as_of_tags
from orchestration.dbt_manifest import prepare_manifest
from orchestration.jobs import DAILY_JOB

# The console shows warnings (a quarantined file, a failed check) and errors; the full event log
# of every step is in the Dagster UI.
CONSOLE_LOG_LEVEL = "WARNING"


def run_once(database_url: str, as_of: datetime | None) -> ExecuteInProcessResult:
    """Run the daily job once at ``as_of`` (default: now)."""
    prepare_manifest(database_url)
    from orchestration.definitions import defs  # reads the manifest just prepared

    instant = (as_of or datetime.now(UTC)).replace(microsecond=0)
    print(f"touchpoint run: {DAILY_JOB.name} as of {instant.isoformat()}", flush=True)
    return defs.resolve_job_def(DAILY_JOB.name).execute_in_process(
        run_config={"loggers": {"console": {"config": {"log_level": CONSOLE_LOG_LEVEL}}}},
        instance=DagsterInstance.get(),
        raise_on_error=False,
        tags={**as_of_tags(instant), "touchpoint/trigger": "cli"},
    )


def failure_lines(result: ExecuteInProcessResult) -> list[str]:
    lines = []
    for event in result.all_events:
        if event.is_step_failure and event.step_failure_data.error:
            error = event.step_failure_data.error
            lines.append(f"step {event.step_key} failed: {error.message.strip()}")
    return lines
