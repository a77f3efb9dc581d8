"""One full pass in process: the daily job, recorded in Dagster's instance so the UI shows it."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from dagster import AssetKey, DagsterInstance, ExecuteInProcessResult

from assets.dbt_project import full_refresh_tags
from models.as_of import as_of_tags
from orchestration.dbt_manifest import prepare_manifest
from orchestration.jobs import CARRY_ON_JOB_NAME, DAILY_JOB
from orchestration.settings import load_settings
from sensors.datamart_failure import CLI_TRIGGER, TRIGGER_TAG

# The console shows warnings (a quarantined file, a failed check) and errors; the full event log
# of every step is in the Dagster UI.
CONSOLE_LOG_LEVEL = "WARNING"


def run_once(
    database_url: str, as_of: datetime | None, full_refresh: bool = False
) -> list[ExecuteInProcessResult]:
    """Run the daily job once at ``as_of`` (default: now); ``full_refresh`` rebuilds dbt's
    incremental models from all of raw. When its dbt build failed, carry on with what the build
    could still feed, as the carry-on sensor does after a scheduled run. Returns the daily run's
    result, then the carry-on run's if there was one."""
    prepare_manifest(database_url)
    # All read the manifest just prepared.
    from orchestration.campaign_catalog import load_catalog, load_journey_catalog
    from orchestration.definitions import build_carry_on, defs

    instant = (as_of or datetime.now(UTC)).replace(microsecond=0)
    instance = DagsterInstance.get()
    print(f"touchpoint run: {DAILY_JOB.name} as of {instant.isoformat()}", flush=True)
    tags = as_of_tags(instant) | full_refresh_tags(full_refresh)
    daily = _execute(defs.resolve_job_def(DAILY_JOB.name), instance, tags)
    if daily.success:
        return [daily]
    settings = load_settings()
    catalog = load_catalog(settings.campaigns)
    carry_on = build_carry_on(catalog, load_journey_catalog(settings.journeys, catalog.specs))
    request = carry_on.after(instance, daily.run_id, failed_steps(daily))
    if request is None:
        return [daily]
    keys = ", ".join(key.to_user_string() for key in request.asset_selection)
    print(f"touchpoint run: carrying on without what dbt did not build: {keys}", flush=True)
    job = defs.resolve_job_def(CARRY_ON_JOB_NAME)
    return [daily, _execute(job, instance, request.tags, request.asset_selection)]


def _execute(
    job, instance: DagsterInstance, tags: dict, selection: Sequence[AssetKey] | None = None
) -> ExecuteInProcessResult:
    return job.execute_in_process(
        run_config={"loggers": {"console": {"config": {"log_level": CONSOLE_LOG_LEVEL}}}},
        instance=instance,
        raise_on_error=False,
        tags={**tags, TRIGGER_TAG: CLI_TRIGGER},
        asset_selection=selection,
    )


def failed_steps(result: ExecuteInProcessResult) -> list[str]:
    return [event.step_key for event in result.all_events if event.is_step_failure]


def failure_lines(result: ExecuteInProcessResult) -> list[str]:
    lines = []
    for event in result.all_events:
        if event.is_step_failure and event.step_failure_data.error:
            error = event.step_failure_data.error
            message = error.message.strip()
            if error.cls_name == "Failure":  # raised on purpose: its description says it all
                message = message.split(": ", 1)[-1]
            lines.append(f"step {event.step_key} failed: {message}")
    return lines
