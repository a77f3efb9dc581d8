"""One full pass in process: the daily job, recorded in Dagster's instance so the UI shows it."""

from __future__ import annotations

from datetime import UTC, datetime

from dagster import DagsterInstance

from orchestration.dbt_manifest import prepare_manifest
from orchestration.jobs import DAILY_JOB
from sensors.schedules import as_of_run_config


def run_once(database_url: str, as_of: datetime | None) -> bool:
    """Run the daily job once at ``as_of`` (default: now); True when every step succeeded."""
    prepare_manifest(database_url)
    from assets.datamart import DBT_STEP  # the dbt assets read the manifest just prepared
    from orchestration.definitions import defs

    instant = (as_of or datetime.now(UTC)).isoformat()
    job = defs.resolve_job_def(DAILY_JOB.name)
    result = job.execute_in_process(
        run_config=as_of_run_config(instant, DBT_STEP),
        instance=DagsterInstance.get(),
        raise_on_error=False,
        tags={"touchpoint/as_of": instant, "touchpoint/trigger": "cli"},
    )
    return result.success
