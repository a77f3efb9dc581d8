"""What the end-to-end modules share: a fresh database of their own on the embedded server, and
the real definitions' job of everything but dispatch (the decisions, not the sends)."""

from __future__ import annotations

import psycopg
from dagster import (
    AssetSelection,
    Definitions,
    JobDefinition,
    define_asset_job,
    in_process_executor,
)


def fresh_database(pg_server, name: str) -> str:
    """An empty database `name` (dropped first if a previous run left it); its URL."""
    with psycopg.connect(pg_server.url("postgres"), autocommit=True) as conn:
        conn.execute(f'drop database if exists "{name}" with (force)')
        conn.execute(f'create database "{name}"')
    return pg_server.url(name)


def all_but_dispatch(settings) -> JobDefinition:
    """Ingest, datamart, campaigns, journeys and reports of the real definitions, in process."""
    from assets.dispatch_assets import DISPATCH_GROUP
    from orchestration.definitions import build_definitions

    job = define_asset_job(
        "all_but_dispatch",
        selection=AssetSelection.all() - AssetSelection.groups(DISPATCH_GROUP),
        executor_def=in_process_executor,
    )
    defs = Definitions.merge(build_definitions(settings), Definitions(jobs=[job]))
    return defs.resolve_job_def(job.name)
