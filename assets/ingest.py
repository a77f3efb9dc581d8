"""One ingest asset per landing source: new files (and, for the CRM, the CRM database) into the
raw layer, with Great Expectations results and row-count reconciliation as asset checks."""

from contextlib import ExitStack

import sqlalchemy as sa
from dagster import (
    AssetCheckResult,
    AssetCheckSeverity,
    AssetCheckSpec,
    AssetExecutionContext,
    AssetKey,
    AssetsDefinition,
    AssetSpec,
    MaterializeResult,
    MetadataValue,
    asset,
)

from assets.crm_database import CRM_TABLES, extract_crm_table
from assets.expectations import BatchExpectations
from assets.file_ingestion import SourceIngestion, ingest_landing_source, source_lock
from assets.resources import CrmDatabase, LandingZoneResource, Warehouse
from assets.staging_ahead import STAGING_CONNECTIONS
from models.landing import LANDING_SOURCES, LandingSource
from models.markdown_text import markdown_literal
from warehouse.raw_schema import ensure_raw_schema

EXPECTATIONS_CHECK = "rows_meet_expectations"
RECONCILE_CHECK = "row_counts_reconcile"


def raw_asset_key(source: LandingSource) -> AssetKey:
    return AssetKey(["raw", source.raw_table])


def ingest(
    warehouse: Warehouse, landing: LandingZoneResource, crm: CrmDatabase, source: LandingSource
) -> SourceIngestion:
    """Everything one materialization does, without Dagster: files first, then the CRM database."""
    expectations = BatchExpectations()
    with warehouse.connect() as conn, ExitStack() as stack:
        stagings = [stack.enter_context(warehouse.connect()) for _ in range(STAGING_CONNECTIONS)]
        ensure_raw_schema(conn)
        result = ingest_landing_source(conn, stagings, landing.zone(), source, expectations)
        if crm.configured and source.name in CRM_TABLES:
            engine = sa.create_engine(crm.url)
            try:
                with source_lock(conn, source):
                    counts, outcomes = extract_crm_table(conn, engine, source, expectations)
            finally:
                engine.dispose()
            result.counts.add(counts)
            result.record_expectations(outcomes)
    return result


def _reasons_table(result: SourceIngestion) -> str:
    rows = [(reason, n) for reason, n in result.unexpected.items() if n]
    rows += list(result.counts.structural_reasons.items())
    rows += [(f"file {q.path} quarantined: {q.error}", 1) for q in result.quarantined]
    if not rows:
        return "No row was rejected."
    lines = ["| reason | rows |", "|---|---:|"]
    lines += [f"| {markdown_literal(reason)} | {n} |" for reason, n in sorted(rows)]
    return "\n".join(lines)


def materialize_result(result: SourceIngestion) -> MaterializeResult:
    counts = result.counts
    expectations_meta = {k: MetadataValue.int(v) for k, v in sorted(result.unexpected.items())}
    return MaterializeResult(
        metadata={
            "rows_read": counts.rows_read,
            "rows_loaded": counts.rows_loaded,
            "rows_rejected": counts.rows_rejected,
            "files_loaded": len(result.loaded_files),
            "files_already_ingested": result.skipped_files,
            "files_quarantined": len(result.quarantined),
            "rejects": MetadataValue.md(_reasons_table(result)),
        },
        check_results=[
            AssetCheckResult(
                check_name=EXPECTATIONS_CHECK,
                passed=not any(result.unexpected.values()) and not counts.structural_reasons,
                severity=AssetCheckSeverity.WARN,
                metadata={"rows_rejected": counts.rows_rejected, **expectations_meta},
                description="Rows failing an expectation were kept in raw rejects with the reason.",
            ),
            AssetCheckResult(
                check_name=RECONCILE_CHECK,
                passed=counts.reconciles,
                severity=AssetCheckSeverity.ERROR,
                metadata={
                    "rows_read": counts.rows_read,
                    "rows_loaded_plus_rejected": counts.rows_loaded + counts.rows_rejected,
                },
            ),
        ],
    )


def build_ingest_asset(source: LandingSource) -> AssetsDefinition:
    key = raw_asset_key(source)

    @asset(
        key=key,
        group_name="ingest",
        kinds={"python", "postgres"},
        description=(
            f"New `{source.folder}/{source.pattern}` files validated and bulk-loaded into "
            f"raw.{source.raw_table}; bad rows to raw.{source.rejects_table} with their reason."
        ),
        check_specs=[
            AssetCheckSpec(
                EXPECTATIONS_CHECK,
                asset=key,
                description="Great Expectations suite on the rows each row rule rejected",
            ),
            AssetCheckSpec(RECONCILE_CHECK, asset=key, description="read = loaded + rejected"),
        ],
    )
    def _ingest(
        context: AssetExecutionContext,
        warehouse: Warehouse,
        landing: LandingZoneResource,
        crm: CrmDatabase,
    ) -> MaterializeResult:
        result = ingest(warehouse, landing, crm, source)
        for quarantined in result.quarantined:
            context.log.warning(f"quarantined {quarantined.path}: {quarantined.error}")
        return materialize_result(result)

    return _ingest


# The registry of landing files every ingest asset writes, read by the dbt coverage models (a dbt
# source): shown in the ingest group, not materialised on its own.
LANDING_FILES_REGISTRY = AssetSpec(
    key=AssetKey(["raw", "_landing_files"]),
    group_name="ingest",
    kinds={"postgres"},
    description=(
        "raw._landing_files: every landing file judged, loaded or quarantined, with its rows "
        "read, loaded and rejected. Written by each ingest asset in the transaction that loads "
        "the file; the staging coverage models take the files loaded from it."
    ),
)

INGEST_ASSETS = [build_ingest_asset(source) for source in LANDING_SOURCES]
