"""Segment entries: a segment campaign judges the new entries whenever its segment was rebuilt
after the campaign last ran. Declarative Automation, not a sensor of ours: each segment campaign
asset carries ``SEGMENT_REBUILT``, and Dagster's automation sensor evaluates it every 30 s in the
daemon (``touchpoint ui``).

The daily run and a run for new files rebuild a segment and judge its campaigns together, so
nothing more happens. When a segment is rebuilt without them (materialized from the UI, or in a
run whose campaign step failed), the campaigns on it run alone, once per rebuild, then
``due_messages_sensor`` sends what they queued. Such a run carries no as-of tag, so it is as of
the moment it was created: the moment the rebuild was noticed.
"""

from __future__ import annotations

from collections.abc import Collection

from dagster import (
    AssetKey,
    AssetsDefinition,
    AssetSelection,
    AutomationCondition,
    AutomationConditionSensorDefinition,
    DefaultSensorStatus,
)

_REBUILT = AutomationCondition.any_deps_match(AutomationCondition.newly_updated())

# A campaign's only dependency is its segment. Rebuilt after the campaign's latest
# materialization (within one evaluation too: the later of the two wins), and not requested
# since that rebuild, so a run that fails is not retried before the segment changes again.
SEGMENT_REBUILT = (
    _REBUILT.since(AutomationCondition.newly_updated()).with_label("rebuilt after the campaign")
    & _REBUILT.since(AutomationCondition.newly_requested()).with_label("not requested since")
    & ~AutomationCondition.any_deps_in_progress()
    & ~AutomationCondition.in_progress()
).with_label("segment rebuilt since the campaign")


def judge_segment_entries(
    campaigns: AssetsDefinition, segment_campaigns: Collection[AssetKey]
) -> AssetsDefinition:
    """``campaigns`` with ``SEGMENT_REBUILT`` on the segment campaigns among them."""
    return campaigns.map_asset_specs(
        lambda spec: (
            spec.replace_attributes(automation_condition=SEGMENT_REBUILT)
            if spec.key in segment_campaigns
            else spec
        )
    )


# Dagster adds a sensor of this name by itself, stopped until someone starts it in the UI; this
# one runs from the start, like every sensor and schedule of touchpoint.
AUTOMATION_SENSOR = AutomationConditionSensorDefinition(
    "default_automation_condition_sensor",
    target=AssetSelection.all(),
    default_status=DefaultSensorStatus.RUNNING,
    minimum_interval_seconds=30,
    description="Evaluates the assets' automation conditions: segment campaigns judge the "
    "entries of a segment rebuilt without them.",
)
