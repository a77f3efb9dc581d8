"""Split a staged batch into ``raw.<table>`` and ``raw.<table>_rejects``, set-based.

The batch comes judged: a flag a rule, set as it was staged (``assets.row_judging``). One
statement inserts the rows that break no rule into the raw table, another the others into the
rejects table with every reason that applies, read from their flags, and a third counts the
rows breaking each rule: the counts the Great Expectations suite is validated on.

The caller holds the transaction, so the rows, the rejects and the registry entry (or CRM
watermark) that says the batch is done commit together or not at all.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import psycopg
from psycopg import sql

from assets.batch_staging import StagedBatch
from assets.row_judging import rule_flags
from models.landing import LandingSource
from warehouse.row_rules import RowRule, judged_rules, line_rules_for, rules_for


@dataclass
class LoadCounts:
    rows_read: int = 0
    rows_loaded: int = 0
    rows_rejected: int = 0
    structural_reasons: Counter = field(default_factory=Counter)
    # Rows breaking each rule (structural rejects aside): what the expectations are judged on.
    broken: Counter[RowRule] = field(default_factory=Counter)

    def add(self, other: LoadCounts) -> None:
        self.rows_read += other.rows_read
        self.rows_loaded += other.rows_loaded
        self.rows_rejected += other.rows_rejected
        self.structural_reasons.update(other.structural_reasons)
        self.broken.update(other.broken)

    @property
    def reconciles(self) -> bool:
        return self.rows_read == self.rows_loaded + self.rows_rejected


_REJECT = """
insert into raw.{rejects} ({columns}, _source, _row_number, _reject_reason, _raw)
select {columns}, {label}, _row_number, {reason}, _raw from raw.{batch} where {broken}
"""
_LOAD = """
insert into raw.{table} ({columns}, _source, _row_number)
select {columns}, {label}, _row_number from raw.{batch} where not ({broken})
"""
_COUNT = "select count(*), {counts} from raw.{batch}"


def _any(flags: list[str]) -> str:
    return " or ".join(flags) or "false"


def _reasons(rules: tuple[RowRule, ...], flags: list[str]) -> str:
    cases = ", ".join(
        f"case when {flag} then {rule.message} end" for rule, flag in zip(rules, flags, strict=True)
    )
    return f"concat_ws('; ', {cases})"


def _split_sql(
    source: LandingSource, batch: str, source_label: str
) -> tuple[sql.Composed, sql.Composed, sql.Composed]:
    """The statements splitting the judged batch table ``batch``: the rejects' insert, the
    rows' insert and the counts. A row breaking a line rule is rejected for the line alone: its
    values are neither reasons nor counted."""
    line_rules, value_rules = line_rules_for(source), rules_for(source)
    flags = rule_flags(source)
    line_flags, value_flags = flags[: len(line_rules)], flags[len(line_rules) :]
    line_broken = _any(line_flags)
    reason = _reasons(value_rules, value_flags)
    if line_rules:
        line_reason = _reasons(line_rules, line_flags)
        reason = f"case when {line_broken} then {line_reason} else {reason} end"
    counts = [f"count(*) filter (where {flag})" for flag in line_flags]
    counts += [f"count(*) filter (where {flag} and not ({line_broken}))" for flag in value_flags]
    parts = {
        "columns": sql.SQL(", ").join(map(sql.Identifier, source.columns)),
        "batch": sql.Identifier(batch),
        "rejects": sql.Identifier(source.rejects_table),
        "table": sql.Identifier(source.raw_table),
        "label": sql.Literal(source_label),
        "reason": sql.SQL(reason),
        "broken": sql.SQL(_any(flags)),
        "counts": sql.SQL(", ".join(counts)),
    }
    return tuple(sql.SQL(statement).format(**parts) for statement in (_REJECT, _LOAD, _COUNT))


def split_batch(
    conn: psycopg.Connection, source: LandingSource, batch: StagedBatch, source_label: str
) -> LoadCounts:
    """Load the batch's good rows and reject the others. Run inside a transaction. The inserts
    count their own rows: nothing is returned to be counted."""
    reject, load, count = _split_sql(source, batch.table, source_label)
    rejected = conn.execute(reject).rowcount
    loaded = conn.execute(load).rowcount
    judged, *broken = conn.execute(count).fetchone()
    structural = _insert_structural_rejects(conn, source, batch, source_label)
    return LoadCounts(
        rows_read=judged + structural,
        rows_loaded=loaded,
        rows_rejected=rejected + structural,
        structural_reasons=Counter(r.reason for r in batch.structural_rejects),
        broken=Counter(dict(zip(judged_rules(source), broken, strict=True))),
    )


def drop_batch(conn: psycopg.Connection, batch: StagedBatch) -> None:
    conn.execute(sql.SQL("drop table if exists raw.{} cascade").format(sql.Identifier(batch.table)))


def _insert_structural_rejects(conn, source, batch: StagedBatch, source_label: str) -> int:
    if not batch.structural_rejects:
        return 0
    target = sql.SQL("copy raw.{} (_source, _row_number, _reject_reason, _raw) from stdin").format(
        sql.Identifier(source.rejects_table)
    )
    with conn.cursor().copy(target) as copy:
        for reject in batch.structural_rejects:
            copy.write_row((source_label, reject.row_number, reject.reason, reject.raw))
    return len(batch.structural_rejects)
