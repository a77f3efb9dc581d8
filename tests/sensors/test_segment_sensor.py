"""Segment entries by Declarative Automation: a segment campaign runs, once, when its segment was
rebuilt after it; evaluated on the code location's own definitions, as the daemon's automation
sensor does, over materializations recorded in a Dagster instance."""

from __future__ import annotations

import pytest
from dagster import AssetKey, AssetMaterialization, DagsterInstance, evaluate_automation_conditions

SEGMENT = AssetKey(["segments", "seg_lapsed_customers"])
WINBACK = AssetKey(["campaigns", "winback"])
TRIGGER = AssetKey(["triggers", "trg_birthday"])


class Automation:
    """The automation sensor's successive looks at one instance, the cursor kept between them."""

    def __init__(self, defs) -> None:
        self.defs, self.instance = defs, DagsterInstance.ephemeral()
        self.cursor = None

    def built(self, *keys: AssetKey) -> None:
        for key in keys:
            self.instance.report_runless_asset_event(AssetMaterialization(key))

    def requested(self) -> set[AssetKey]:
        result = evaluate_automation_conditions(self.defs, self.instance, cursor=self.cursor)
        self.cursor = result.cursor
        return {r.key for r in result.results if not r.true_subset.is_empty}


@pytest.fixture
def automation(dbt_manifest) -> Automation:
    from orchestration.definitions import defs

    automation = Automation(defs)
    assert automation.requested() == set()  # the first look only takes note
    return automation


def test_a_segment_rebuilt_without_its_campaign_has_the_campaign_judge_it_once(automation):
    automation.built(SEGMENT)

    assert automation.requested() == {WINBACK}
    assert automation.requested() == set()  # requested, even if that run fails


def test_each_rebuild_asks_again(automation):
    automation.built(SEGMENT)
    automation.requested()
    automation.built(WINBACK)
    automation.built(SEGMENT)

    assert automation.requested() == {WINBACK}


def test_a_campaign_judged_after_its_segment_is_up_to_date(automation):
    automation.built(SEGMENT, WINBACK)  # a daily run builds both, in this order

    assert automation.requested() == set()


def test_a_segment_rebuilt_after_its_campaign_counts_even_between_two_looks(automation):
    automation.built(WINBACK, SEGMENT)

    assert automation.requested() == {WINBACK}


def test_a_trigger_rebuilt_launches_nothing(automation):
    automation.built(TRIGGER)

    assert automation.requested() == set()
