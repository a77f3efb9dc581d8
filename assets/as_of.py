"""The as-of instant a step runs at: the run's tag, else the moment the run was created."""

from __future__ import annotations

from datetime import UTC, datetime

from dagster import AssetExecutionContext

from models.as_of import AS_OF_TAG, parse_as_of


def run_as_of(context: AssetExecutionContext) -> datetime:
    """Every step of one run gets the same instant, even without a tag (a UI launch)."""
    tagged = context.run.tags.get(AS_OF_TAG)
    if tagged:
        return parse_as_of(tagged)
    record = context.instance.get_run_record_by_id(context.run_id)
    created = record.create_timestamp if record else datetime.now(UTC)
    return created.astimezone(UTC).replace(microsecond=0)
