"""The lineage a marketer reads in the Dagster UI, group by group: it runs one way, from the
sources to the reports, and the messaging tables that close the feedback loop say who writes
them."""

from __future__ import annotations

from graphlib import CycleError, TopologicalSorter

import pytest
from dagster import AssetKey

# Groups on one line of the chain may feed each other in either order only if they are equals.
CHAIN = [
    {"ingest", "messaging"},
    {"datamart"},
    {"triggers", "segments"},
    {"campaigns", "journeys"},
    {"dispatch"},
    {"responses"},
    {"reports"},
]
STEP = {group: step for step, groups in enumerate(CHAIN) for group in groups}
MESSAGING_TABLES = ("occurrences", "outbox", "vouchers", "message_events")


@pytest.fixture(scope="module")
def asset_graph(dbt_manifest):
    """The real definitions, with the provider event queue configured so `responses` shows."""
    from orchestration.definitions import build_definitions
    from orchestration.settings import load_settings

    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("TOUCHPOINT_EVENTS_QUEUE_URL", "http://127.0.0.1:1/000000000000/events")
        return build_definitions(load_settings()).resolve_asset_graph()


def group_edges(graph) -> set[tuple[str, str]]:
    """(upstream group, downstream group) for every asset dependency crossing groups."""
    edges = set()
    for key in graph.get_all_asset_keys():
        node = graph.get(key)
        for parent in node.parent_keys:
            upstream = graph.get(parent).group_name
            if upstream != node.group_name:
                edges.add((upstream, node.group_name))
    return edges


def test_the_groups_form_no_cycle(asset_graph):
    sorter = TopologicalSorter()
    for upstream, downstream in group_edges(asset_graph):
        sorter.add(downstream, upstream)
    try:
        sorter.prepare()
    except CycleError as cycle:
        pytest.fail(f"the group lineage has a cycle: {cycle.args[1]}")


def test_every_group_feeds_only_groups_further_down_the_chain(asset_graph):
    edges = group_edges(asset_graph)
    groups = {asset_graph.get(key).group_name for key in asset_graph.get_all_asset_keys()}

    assert groups == set(STEP), "every asset sits in a group of the chain"
    backwards = {(a, b) for a, b in edges if STEP[a] >= STEP[b]}
    assert not backwards, f"groups feeding back up the chain: {sorted(backwards)}"
    assert {
        ("ingest", "datamart"),
        ("messaging", "datamart"),
        ("datamart", "triggers"),
        ("datamart", "segments"),
        ("triggers", "campaigns"),
        ("segments", "campaigns"),
        ("campaigns", "dispatch"),
        ("triggers", "journeys"),
        ("journeys", "dispatch"),
        ("dispatch", "responses"),
        ("datamart", "reports"),
    } <= edges


def test_the_messaging_tables_are_a_group_that_says_who_writes_each_table(asset_graph):
    for table in (*MESSAGING_TABLES, "campaigns"):
        node = asset_graph.get(AssetKey(["messaging", table]))
        assert node.group_name == "messaging", table
        assert {asset_graph.get(child).group_name for child in node.child_keys} == {"datamart"}
    for table in MESSAGING_TABLES:
        description = asset_graph.get(AssetKey(["messaging", table])).description
        assert "Written by" in description, table
    writers = asset_graph.get(AssetKey(["messaging", "message_events"])).description
    for writer in ("dispatch", "tracking service", "responses/ses_events"):
        assert writer in writers
