"""The segment-change sensor: segment campaigns run when their segment was rebuilt after them."""

from __future__ import annotations

from dagster import AssetKey

from sensors.segments import stale_campaigns

SEGMENT = AssetKey(["segments", "seg_lapsed_customers"])
WINBACK = AssetKey(["campaigns", "winback"])


def test_a_segment_rebuilt_after_its_campaign_makes_the_campaign_stale():
    assert stale_campaigns({SEGMENT: 20}, {WINBACK: 10}, {SEGMENT: [WINBACK]}) == [WINBACK]


def test_a_campaign_that_ran_after_the_segment_is_up_to_date():
    assert stale_campaigns({SEGMENT: 20}, {WINBACK: 25}, {SEGMENT: [WINBACK]}) == []


def test_a_segment_never_built_asks_for_nothing_and_a_campaign_never_run_is_stale():
    assert stale_campaigns({SEGMENT: None}, {WINBACK: None}, {SEGMENT: [WINBACK]}) == []
    assert stale_campaigns({SEGMENT: 3}, {WINBACK: None}, {SEGMENT: [WINBACK]}) == [WINBACK]
