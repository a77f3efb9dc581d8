"""Jobs. Both run in process: Dagster's multiprocess executor re-imports the code location for
every step, which more than doubles a small graph's wall time (DESIGN §7)."""

from __future__ import annotations

from dagster import AssetSelection, define_asset_job, in_process_executor

DAILY_JOB = define_asset_job(
    "touchpoint_daily",
    selection=AssetSelection.all(),
    executor_def=in_process_executor,
    description="The whole pipeline: ingest → datamart → everything downstream.",
)

NEW_FILES_JOB = define_asset_job(
    "ingest_new_files",
    selection=AssetSelection.groups("ingest").downstream(),
    executor_def=in_process_executor,
    description="Ingest new landing files and rebuild what depends on them.",
)
