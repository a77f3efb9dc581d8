"""Dagster assets and asset checks: ingest, datamart (dbt), and what follows it."""
