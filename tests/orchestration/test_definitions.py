"""The code location as a marketer sees it: one graph from landing files to marts."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
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
