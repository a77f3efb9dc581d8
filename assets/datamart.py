"""The dbt datamart as Dagster assets: every dbt model, seed and test, downstream of the ingest
assets through the dbt sources' ``meta.dagster.asset_key``."""

from collections.abc import Iterator, Mapping
from typing import Any

from dagster import AssetExecutionContext, Failure, MetadataValue
from dagster_dbt import DagsterDbtTranslator, DbtCliInvocation, dbt_assets

from assets.as_of import run_as_of
from assets.dbt_build_failures import BuildFailures, build_failures
from assets.dbt_project import DBT_PROJECT, dbt_build_args
from assets.dbt_run_folders import prune_run_folders
from assets.resources import DatamartDbt, Warehouse
from warehouse.messaging_schema import migrate_messaging


class DatamartTranslator(DagsterDbtTranslator):
    """dbt folders become Dagster groups: staging, intermediate and marts form `datamart`;
    triggers, segments and reports are groups of their own."""

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        folder = dbt_resource_props.get("fqn", ["", ""])[1:2]
        if folder and folder[0] in ("triggers", "segments", "reports"):
            return folder[0]
        return "datamart"


DBT_STEP = "datamart"


@dbt_assets(
    name=DBT_STEP,
    manifest=DBT_PROJECT.manifest_path,
    project=DBT_PROJECT,
    dagster_dbt_translator=DatamartTranslator(),
)
def datamart(context: AssetExecutionContext, dbt: DatamartDbt, warehouse: Warehouse) -> Iterator:
    """Build and test the selected dbt models at the run's as-of instant (incrementally, or in
    full when the run carries ``FULL_REFRESH_TAG``).

    dbt builds whatever a failed model does not feed, and those materializations are yielded
    first (one source's bad row breaks only what that source feeds); the step then fails with
    the failed models, dbt's error for each, and what was skipped because of them. The older
    per-run target folders are pruned once this run's artifacts have been read.
    """
    migrate_messaging(warehouse.url)  # the dbt sources for consent and responses
    as_of = run_as_of(context).isoformat()
    args = dbt_build_args(context.run.tags)
    context.log.info(f"dbt {' '.join(args)} at as-of {as_of}")
    invocation = dbt.cli(args, as_of=as_of, context=context, raise_on_error=False)
    yield from invocation.stream()
    failure = None if invocation.is_successful() else _build_failure(invocation)
    prune_run_folders(invocation.target_path.parent, DBT_STEP)
    if failure:
        raise failure


def _build_failure(invocation: DbtCliInvocation) -> Failure:
    failures = _build_failures(invocation)
    return Failure(
        # no failed node: dbt stopped before building (connection, compilation)
        description=failures.description() if failures else str(invocation.get_error()),
        metadata={
            "failed": MetadataValue.json([f.__dict__ for f in failures.failed]),
            "skipped": MetadataValue.json(failures.skipped),
        },
    )


def _build_failures(invocation: DbtCliInvocation) -> BuildFailures:
    """The failed and skipped nodes, from ``run_results.json`` when dbt got as far as writing it."""
    if not (invocation.target_path / "run_results.json").exists():
        return build_failures({"results": []})
    return build_failures(invocation.get_artifact("run_results.json"))
