"""Carrying on after a datamart failure: one source's bad row must not stop every campaign.

When ``dbt build`` fails on one model, dbt still builds everything that model does not feed, and
the datamart step yields those. Dagster skips every step downstream of a failed step, though, and
the campaigns are one step (judged together so the weekly cap is shared by priority) downstream
of every trigger, the journeys another, and dispatch downstream of both. So a failed run is
followed by a second one: the campaigns and journeys it meant to run whose trigger or segment
was built, then dispatch, at the same as-of instant. The failed run stays failed, naming the
models that were not built.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC

from dagster import (
    AssetKey,
    DagsterEventType,
    DagsterInstance,
    DefaultSensorStatus,
    JobDefinition,
    RunFailureSensorContext,
    RunRequest,
    SkipReason,
    run_failure_sensor,
)

from models.as_of import AS_OF_TAG

# A run launched by ``touchpoint run`` carries on by itself, in the same process.
TRIGGER_TAG, CLI_TRIGGER = "touchpoint/trigger", "cli"


def carry_on_selection(
    failed_steps: Iterable[str],
    planned: set[AssetKey],
    materialized: set[AssetKey],
    source_of: Mapping[AssetKey, AssetKey],
    dispatch_keys: Sequence[AssetKey],
    datamart_step: str,
) -> list[AssetKey]:
    """What a run whose datamart step failed left undone and can still do: each campaign or
    journey it planned whose source it built, and dispatch. Empty when the datamart step did not
    fail."""
    if datamart_step not in set(failed_steps):
        return []
    campaigns = [
        campaign
        for campaign, source in source_of.items()
        if campaign in planned and campaign not in materialized and source in materialized
    ]
    sends = [key for key in dispatch_keys if key in planned and key not in materialized]
    return sorted(campaigns, key=AssetKey.to_user_string) + list(sends)


def run_asset_keys(instance: DagsterInstance, run_id: str) -> tuple[set[AssetKey], set[AssetKey]]:
    """The assets a run planned and the ones it materialized, from its event log."""

    def keys(event_type: DagsterEventType) -> set[AssetKey]:
        records = instance.get_records_for_run(run_id, of_type=event_type, limit=100_000).records
        return {r.asset_key for r in records if r.asset_key is not None}

    return (
        keys(DagsterEventType.ASSET_MATERIALIZATION_PLANNED),
        keys(DagsterEventType.ASSET_MATERIALIZATION),
    )


@dataclass(frozen=True)
class CarryOn:
    """Which source each campaign or journey reads, the dispatch assets, the dbt step's key."""

    source_of: Mapping[AssetKey, AssetKey]
    dispatch_keys: Sequence[AssetKey]
    datamart_step: str

    def after(
        self, instance: DagsterInstance, run_id: str, failed_steps: Iterable[str]
    ) -> RunRequest | None:
        """The run that carries on after ``run_id`` at its as-of instant, if there is one."""
        planned, materialized = run_asset_keys(instance, run_id)
        selection = carry_on_selection(
            failed_steps,
            planned,
            materialized,
            self.source_of,
            self.dispatch_keys,
            self.datamart_step,
        )
        if not selection:
            return None
        return RunRequest(
            run_key=run_id,
            asset_selection=selection,
            tags={AS_OF_TAG: _as_of_of(instance, run_id)},
        )


def build_carry_on_sensor(
    carry_on: CarryOn, monitored_jobs: Sequence[JobDefinition], carry_on_job: JobDefinition
):
    @run_failure_sensor(
        name="carry_on_after_datamart_failure",
        monitored_jobs=list(monitored_jobs),
        request_job=carry_on_job,
        default_status=DefaultSensorStatus.RUNNING,
        description="After a dbt failure, judge the campaigns whose triggers were built, and send.",
    )
    def carry_on_sensor(context: RunFailureSensorContext):
        run_id = context.dagster_run.run_id
        if context.dagster_run.tags.get(TRIGGER_TAG) == CLI_TRIGGER:
            return SkipReason(f"run {run_id} was launched by touchpoint run, which carries on")
        failed_steps = [event.step_key for event in context.get_step_failure_events()]
        request = carry_on.after(context.instance, run_id, failed_steps)
        if request is None:
            return SkipReason(
                f"run {run_id} left nothing to carry on: it did not fail in "
                f"{carry_on.datamart_step}, or no campaign it planned has its trigger built"
            )
        return request

    return carry_on_sensor


def _as_of_of(instance: DagsterInstance, run_id: str) -> str:
    """The failed run's instant: its tag, else its creation (as ``assets.as_of`` reads it)."""
    record = instance.get_run_record_by_id(run_id)
    tagged = record.dagster_run.tags.get(AS_OF_TAG)
    if tagged:
        return tagged
    return record.create_timestamp.astimezone(UTC).replace(microsecond=0).isoformat()
