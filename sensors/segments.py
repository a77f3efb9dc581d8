"""The segment-change sensor: a segment rebuilt since its campaigns last ran → those campaigns
judge the new entries.

Dagster's event log says when each asset was last materialized; a segment whose latest
materialization is newer than every one of its campaigns' needs a run, else there is nothing
new to act on (the daily job builds segments and campaigns together).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from dagster import (
    AssetKey,
    DefaultSensorStatus,
    JobDefinition,
    RunRequest,
    SensorEvaluationContext,
    SensorResult,
    SkipReason,
    sensor,
)

from models.as_of import AS_OF_TAG


def stale_campaigns(
    segment_marks: Mapping[AssetKey, int | None],
    campaign_marks: Mapping[AssetKey, int | None],
    campaigns_by_segment: Mapping[AssetKey, Sequence[AssetKey]],
) -> list[AssetKey]:
    """Campaign keys whose segment was materialized after the campaign (storage ids)."""
    stale = []
    for segment, campaigns in campaigns_by_segment.items():
        built = segment_marks.get(segment)
        if built is None:
            continue
        stale += [c for c in campaigns if (campaign_marks.get(c) or 0) < built]
    return sorted(stale, key=lambda key: key.to_user_string())


def _latest_storage_id(context: SensorEvaluationContext, key: AssetKey) -> int | None:
    record = context.instance.get_latest_materialization_event(key)
    return record.storage_id if record else None


def _as_of_of(context: SensorEvaluationContext, key: AssetKey) -> dict[str, str]:
    """The segment's own as-of instant, so entries are judged at the instant they were found."""
    record = context.instance.get_latest_materialization_event(key)
    run = context.instance.get_run_by_id(record.run_id) if record else None
    tag = run.tags.get(AS_OF_TAG) if run else None
    return {AS_OF_TAG: tag} if tag else {}


def build_segment_sensor(
    campaigns_by_segment: Mapping[AssetKey, Sequence[AssetKey]], job: JobDefinition
):
    @sensor(
        name="segment_changes_sensor",
        job=job,
        minimum_interval_seconds=30,
        default_status=DefaultSensorStatus.RUNNING,
        description="Sends segment-entry campaigns (winback) when a segment is rebuilt.",
    )
    def segment_changes_sensor(context: SensorEvaluationContext):
        segments = list(campaigns_by_segment)
        campaigns = [c for cs in campaigns_by_segment.values() for c in cs]
        stale = stale_campaigns(
            {s: _latest_storage_id(context, s) for s in segments},
            {c: _latest_storage_id(context, c) for c in campaigns},
            campaigns_by_segment,
        )
        if not stale:
            return SensorResult(skip_reason=SkipReason("no segment rebuilt since its campaigns"))
        marks = "-".join(str(_latest_storage_id(context, s)) for s in segments)
        request = RunRequest(
            run_key=f"segments-{marks}",
            asset_selection=stale,
            tags=_as_of_of(context, segments[0]),
        )
        return SensorResult(run_requests=[request])

    return segment_changes_sensor
