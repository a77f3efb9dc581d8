"""Great Expectations over a staged batch: the evidence behind the ingest asset checks.

Each row rule becomes an ``UnexpectedRowsExpectation`` run by GX against the batch view in
PostgreSQL, so the counts a marketer sees in the asset check are GX's own. Great Expectations
takes seconds to import, so it is imported here, on first use, and only by ingestion.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import cached_property

from warehouse.row_rules import RowRule


@dataclass(frozen=True)
class ExpectationOutcome:
    name: str
    expectation: str
    success: bool
    unexpected_count: int


class BatchExpectations:
    """One ephemeral GX context per database, reused for every batch a run validates."""

    def __init__(self, database_url: str):
        self.database_url = database_url

    @cached_property
    def _datasource(self):
        os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
        import great_expectations as gx
        from great_expectations.data_context.types.base import ProgressBarsConfig

        context = gx.get_context(mode="ephemeral")
        # Metric progress bars would flood the run's console and Dagster's compute logs.
        context.variables.progress_bars = ProgressBarsConfig(globally=False)
        url = self.database_url.replace("postgresql://", "postgresql+psycopg2://", 1)
        url += ("&" if "?" in url else "?") + "options=-csearch_path%3Draw"
        return context.data_sources.add_postgres("touchpoint_raw", connection_string=url)

    def validate(self, view: str, rules: tuple[RowRule, ...]) -> list[ExpectationOutcome]:
        import great_expectations as gx
        import great_expectations.expectations as gxe

        batch_definition = self._batch_definition(view)
        suite = gx.ExpectationSuite(name=view)
        for rule in rules:
            predicate = rule.predicate.replace("{", "{{").replace("}", "}}")
            suite.add_expectation(
                gxe.UnexpectedRowsExpectation(
                    unexpected_rows_query=f"select _row_number from {{batch}} where {predicate}",
                    description=rule.expectation,
                )
            )
        batch = batch_definition.get_batch()
        result = batch.validate(suite, result_format={"result_format": "BASIC"})
        return [_outcome(rule, r) for rule, r in zip(rules, result.results, strict=True)]

    def _batch_definition(self, view: str):
        try:
            asset = self._datasource.get_asset(view)
        except LookupError:
            asset = self._datasource.add_table_asset(view, table_name=view)
        try:
            return asset.get_batch_definition("whole")
        except KeyError:
            return asset.add_batch_definition_whole_table("whole")


def _raised(exception_info: dict) -> str | None:
    """GX reports either one exception dict or one per failed metric; return the first message."""
    candidates = [exception_info, *[v for v in exception_info.values() if isinstance(v, dict)]]
    for info in candidates:
        if info.get("raised_exception"):
            return str(info.get("exception_message"))
    return None


def _outcome(rule: RowRule, result) -> ExpectationOutcome:
    message = _raised(result.exception_info or {})
    if message:
        raise RuntimeError(f"Great Expectations could not evaluate '{rule.expectation}': {message}")
    return ExpectationOutcome(
        name=rule.name,
        expectation=rule.expectation,
        success=bool(result.success),
        unexpected_count=int(result.result.get("observed_value") or 0),
    )
