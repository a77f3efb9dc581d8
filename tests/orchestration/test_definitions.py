"""The code location as a marketer sees it: one graph from landing files to marts."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from dagster import AssetKey

from models.landing import LANDING_SOURCES

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def definitions(dbt_manifest):
    from orchestration.definitions import defs

    return defs


def dbt_models(manifest_path: Path) -> dict[str, dict]:
    manifest = json.loads(manifest_path.read_text())
    return {n["name"]: n for n in manifest["nodes"].values() if n["resource_type"] == "model"}


def test_every_dbt_model_is_an_asset_and_ingest_sits_upstream_of_staging(definitions, dbt_manifest):
    graph = definitions.resolve_asset_graph()
    keys = set(graph.get_all_asset_keys())
    models = dbt_models(dbt_manifest)

    assert {AssetKey(["raw", s.raw_table]) for s in LANDING_SOURCES} <= keys
    for name, node in models.items():
        key = AssetKey([node["fqn"][1], name])
        assert key in keys, f"dbt model {name} missing from the asset graph"
        if name.startswith("stg_"):
            parents = graph.get(key).parent_keys
            upstream = {p.path[0] for p in parents}
            assert upstream & {"raw", "messaging"}, f"{name} has no ingest asset upstream"


def test_assets_are_grouped_for_marketers(definitions):
    graph = definitions.resolve_asset_graph()
    groups = {graph.get(k).group_name for k in graph.get_all_asset_keys()}
    assert {"ingest", "datamart"} <= groups
    assert graph.get(AssetKey(["raw", "web_events"])).group_name == "ingest"
    assert graph.get(AssetKey(["marts", "dim_customers"])).group_name == "datamart"


def test_the_daily_schedule_and_the_landing_sensor_are_defined(definitions):
    schedule = definitions.resolve_schedule_def("daily_refresh")
    assert schedule.cron_schedule == "0 5 * * *"
    assert definitions.resolve_sensor_def("landing_files_sensor").job_name == "ingest_new_files"


def test_dagster_definitions_validate_passes(dbt_manifest):
    env = {**os.environ, "DAGSTER_HOME": str(Path(os.environ["TOUCHPOINT_HOME"]) / "dagster")}
    Path(env["DAGSTER_HOME"]).mkdir(parents=True, exist_ok=True)
    result = subprocess.run(
        [
            str(Path(sys.executable).with_name("dagster")),
            "definitions",
            "validate",
            "-w",
            "workspace.yaml",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_each_campaign_is_an_asset_downstream_of_its_trigger_or_segment(definitions):
    graph = definitions.resolve_asset_graph()
    expected = {
        "birthday": ["triggers", "trg_birthday"],
        "product_interest": ["triggers", "trg_product_interest"],
        "instore_cross_sell": ["triggers", "trg_instore_cross_sell"],
        "winback": ["segments", "seg_lapsed_customers"],
    }
    for campaign, source in expected.items():
        node = graph.get(AssetKey(["campaigns", campaign]))
        assert node.group_name == "campaigns"
        assert AssetKey(source) in node.parent_keys, campaign


def test_sensors_and_schedules_react_to_behaviour_segments_and_the_clock(definitions):
    behaviour = definitions.resolve_sensor_def("new_behaviour_sensor")
    hourly = definitions.resolve_schedule_def("date_triggers_hourly")
    job = definitions.resolve_job_def("act_on_new_behaviour")
    selected = {key.path[-1] for key in job.asset_layer.selected_asset_keys}

    assert behaviour.job_name == "act_on_new_behaviour"
    assert behaviour.minimum_interval_seconds <= 15
    assert hourly.cron_schedule == "0 * * * *"
    assert {"basket_recovery", "product_interest", "instore_cross_sell"} <= selected
    assert {"trg_abandoned_basket", "fct_web_events"} <= selected
    assert (
        not {"birthday", "vehicle_lifecycle", "web_events"} & selected
    )  # none by date, no re-ingest


def test_the_behaviour_job_rebuilds_only_what_new_events_can_change(definitions):
    graph = definitions.resolve_asset_graph()
    selected = definitions.resolve_job_def("act_on_new_behaviour").asset_layer.selected_asset_keys
    events = {AssetKey(["raw", "web_events"]), AssetKey(["raw", "pos_transactions"])}
    changed_by_events = _downstream(graph, events) - events
    acting = {key for key in selected if key.path[0] in ("campaigns", "journeys")}
    models = {key for key in selected if key.path[0] not in ("campaigns", "journeys", "dispatch")}
    between = (_upstream(graph, acting) - acting) & changed_by_events
    names = {key.path[-1] for key in models}

    assert models == between  # all the events can change on the way to the campaigns, only that
    assert {"stg_web__events", "fct_orders", "dim_customers", "trg_product_interest"} <= names
    assert not {"dim_products", "stg_crm__customers", "fct_messages", "country_timezones"} & names


def test_the_behaviour_job_runs_the_dbt_tests_of_its_triggers_and_no_others(definitions):
    job = definitions.resolve_job_def("act_on_new_behaviour")
    checks = job.asset_layer.asset_graph.asset_check_keys
    triggers = {key for key in job.asset_layer.selected_asset_keys if key.path[0] == "triggers"}
    every_trigger_check = {
        check
        for check in definitions.resolve_asset_graph().asset_check_keys
        if check.asset_key in triggers
    }

    assert checks == every_trigger_check
    assert {check.asset_key for check in checks} == triggers


def _downstream(graph, keys: set[AssetKey]) -> set[AssetKey]:
    return _closure(keys, lambda key: graph.get(key).child_keys)


def _upstream(graph, keys: set[AssetKey]) -> set[AssetKey]:
    return _closure(keys, lambda key: graph.get(key).parent_keys)


def _closure(keys: set[AssetKey], next_keys) -> set[AssetKey]:
    found, frontier = set(keys), list(keys)
    while frontier:
        for key in next_keys(frontier.pop()):
            if key not in found:
                found.add(key)
                frontier.append(key)
    return found


def test_segment_campaigns_are_automated_and_the_automation_sensor_runs_from_the_start(
    definitions,
):
    from dagster import DefaultSensorStatus

    from sensors.segments import SEGMENT_REBUILT

    graph = definitions.resolve_asset_graph()
    automated = {
        key.path[-1]: graph.get(key).automation_condition
        for key in graph.get_all_asset_keys()
        if graph.get(key).automation_condition is not None
    }
    sensor = definitions.resolve_sensor_def("default_automation_condition_sensor")

    assert automated == {"winback": SEGMENT_REBUILT}  # the only campaign on a segment
    assert sensor.default_status == DefaultSensorStatus.RUNNING
    assert sensor.minimum_interval_seconds <= 30


def test_every_job_that_renders_messages_also_sends_them(definitions):
    """Campaigns and journeys render; dispatch follows every one of them."""
    dispatch = {AssetKey(["dispatch", "email"]), AssetKey(["dispatch", "sms"])}
    renderers = {
        key
        for key in definitions.resolve_all_asset_keys()
        if key.path[0] in ("campaigns", "journeys")
    }
    for name in ("touchpoint_daily", "act_on_new_behaviour", "date_triggers", "advance_journeys"):
        selected = definitions.resolve_job_def(name).asset_layer.selected_asset_keys
        assert dispatch <= selected, name
    graph = definitions.resolve_asset_graph()
    for key in dispatch:
        assert graph.get(key).parent_keys == renderers
        assert graph.get(key).group_name == "dispatch"


def test_due_messages_have_a_sensor_and_a_job_that_only_dispatches(definitions):
    sensor = definitions.resolve_sensor_def("due_messages_sensor")
    job = definitions.resolve_job_def(sensor.job_name)

    assert {key.path[0] for key in job.asset_layer.selected_asset_keys} == {"dispatch"}
    assert sensor.minimum_interval_seconds <= 60


def test_the_dispatch_job_runs_each_partition_of_the_outbox_in_a_process_of_its_own(definitions):
    """The jobs that do more than dispatch run in process; dispatch_outbox fans out."""
    job = definitions.resolve_job_def("dispatch_outbox")

    assert {key.path[0] for key in job.asset_layer.selected_asset_keys} == {"dispatch"}
    assert job.executor_def.name == "multiprocess"
    assert job.run_config["execution"]["config"] == {
        "max_concurrent": 2,
        "start_method": {"forkserver": {"preload_modules": ["orchestration.definitions"]}},
    }
    [location] = yaml.safe_load((ROOT / "workspace.yaml").read_text())["load_from"]
    assert location["python_module"]["module_name"] == "orchestration.definitions"
    partitions = {name: ops["config"]["partitions"] for name, ops in job.run_config["ops"].items()}
    assert partitions == {"dispatch__email": 2, "dispatch__sms": 2}
    for name in ("touchpoint_daily", "send_due_messages", "act_on_new_behaviour"):
        assert definitions.resolve_job_def(name).executor_def.name == "in_process", name


def test_the_campaign_report_follows_the_report_models_and_the_catalog_feeds_them(definitions):
    graph = definitions.resolve_asset_graph()
    report = AssetKey(["reports", "campaign_performance"])
    catalog = AssetKey(["messaging", "campaigns"])
    daily = definitions.resolve_job_def("touchpoint_daily").asset_layer.selected_asset_keys

    assert graph.get(report).group_name == "reports"
    assert AssetKey(["reports", "rpt_campaign_performance"]) in graph.get(report).parent_keys
    assert graph.get(AssetKey(["reports", "rpt_campaign_performance"])).group_name == "reports"
    assert catalog in graph.get(AssetKey(["staging", "stg_messaging__campaigns"])).parent_keys
    assert {report, catalog} <= daily


def test_each_journey_is_an_asset_of_the_journeys_group_downstream_of_its_entry_model(
    definitions,
):
    graph = definitions.resolve_asset_graph()
    entries = {
        "welcome_series": "trg_new_customer",
        "basket_recovery": "trg_abandoned_basket",
        "vehicle_lifecycle": "trg_vehicle_delivered",
    }
    for journey, entry in entries.items():
        node = graph.get(AssetKey(["journeys", journey]))
        assert node.group_name == "journeys"
        assert [key.path[-1] for key in node.parent_keys] == [entry]
    assert "journey_progress_sensor" in {s.name for s in definitions.sensors}
