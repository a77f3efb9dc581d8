"""The dbt datamart as Dagster assets: every dbt model, seed and test, downstream of the ingest
assets through the dbt sources' ``meta.dagster.asset_key``."""

import json
import os
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from typing import Any

from dagster import AssetExecutionContext, Config
from dagster_dbt import DagsterDbtTranslator, DbtCliResource, dbt_assets

from assets.dbt_project import DBT_PROJECT
from assets.resources import Warehouse


class DatamartTranslator(DagsterDbtTranslator):
    """dbt folders become Dagster groups: staging, intermediate and marts form `datamart`."""

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        folder = dbt_resource_props.get("fqn", ["", ""])[1:2]
        if folder and folder[0] in ("triggers", "segments"):
            return folder[0]
        return "datamart"


class AsOfConfig(Config):
    """The run's as-of instant (ISO 8601); empty means the moment the run starts."""

    as_of: str = ""


def as_of_instant(config: AsOfConfig) -> str:
    if config.as_of:
        return datetime.fromisoformat(config.as_of).isoformat()
    return datetime.now(UTC).isoformat(timespec="seconds")


def dbt_build_args(as_of: str) -> list[str]:
    return ["build", "--vars", json.dumps({"as_of": as_of})]


DBT_STEP = "datamart"


@dbt_assets(
    name=DBT_STEP,
    manifest=DBT_PROJECT.manifest_path,
    project=DBT_PROJECT,
    dagster_dbt_translator=DatamartTranslator(),
)
def datamart(
    context: AssetExecutionContext, dbt: DbtCliResource, warehouse: Warehouse, config: AsOfConfig
) -> Iterator:
    """Build and test the selected dbt models at the run's as-of instant."""
    os.environ.update(warehouse.dbt_env())
    as_of = as_of_instant(config)
    context.log.info(f"dbt build at as-of {as_of}")
    yield from dbt.cli(dbt_build_args(as_of), context=context).stream()
