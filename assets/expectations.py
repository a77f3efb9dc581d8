"""Great Expectations over a loaded batch: the evidence behind the ingest asset checks.

The split into raw and rejects (``assets.raw_loader``) judges every row of a batch by each rule
once and counts the rows breaking each. GX is validated on those counts, not on a second pass
over the rows: a one-row frame with a column per rule holding the batch's count, and per rule
the expectation that its maximum is 0. Each result's observed value is therefore the number of
rows of this batch that broke the rule, the very rows that went to the rejects table for it.

Great Expectations takes seconds to import, so it is imported here, on first use, and only by
ingestion.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
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
    """One ephemeral GX context, reused for every batch a run validates."""

    @cached_property
    def _batch_definition(self):
        os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
        import great_expectations as gx
        from great_expectations.data_context.types.base import ProgressBarsConfig

        context = gx.get_context(mode="ephemeral")
        # Metric progress bars would flood the run's console and Dagster's compute logs.
        context.variables.progress_bars = ProgressBarsConfig(globally=False)
        asset = context.data_sources.add_pandas("touchpoint_split").add_dataframe_asset("rules")
        return asset.add_batch_definition_whole_dataframe("batch")

    def validate(
        self, rules: tuple[RowRule, ...], broken: Mapping[RowRule, int]
    ) -> list[ExpectationOutcome]:
        """Each rule's expectation judged on the rows of the batch that broke it."""
        import great_expectations as gx
        import great_expectations.expectations as gxe
        import pandas as pd

        batch_definition = self._batch_definition  # GX makes its context here, first
        counts = pd.DataFrame([{rule.name: broken.get(rule, 0) for rule in rules}])
        suite = gx.ExpectationSuite(name="row_rules")
        for rule in rules:
            suite.add_expectation(
                gxe.ExpectColumnMaxToBeBetween(
                    column=rule.name, min_value=0, max_value=0, description=rule.expectation
                )
            )
        batch = batch_definition.get_batch(batch_parameters={"dataframe": counts})
        result = batch.validate(suite, result_format={"result_format": "BASIC"})
        by_rule = {r.expectation_config.kwargs["column"]: r for r in result.results}
        return [_outcome(rule, by_rule[rule.name]) for rule in rules]


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
