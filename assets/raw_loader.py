"""Merge a validated batch into ``raw.<table>`` and ``raw.<table>_rejects`` in one set-based pass.

The caller holds the transaction, so the rows, the rejects and the registry entry (or CRM
watermark) that says the batch is done commit together or not at all.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import psycopg
from psycopg import sql

from assets.batch_staging import StagedBatch
from models.landing import LandingSource
from warehouse.row_rules import rules_for


@dataclass
class LoadCounts:
    rows_read: int = 0
    rows_loaded: int = 0
    rows_rejected: int = 0
    structural_reasons: Counter = field(default_factory=Counter)

    def add(self, other: LoadCounts) -> None:
        self.rows_read += other.rows_read
        self.rows_loaded += other.rows_loaded
        self.rows_rejected += other.rows_rejected
        self.structural_reasons.update(other.structural_reasons)

    @property
    def reconciles(self) -> bool:
        return self.rows_read == self.rows_loaded + self.rows_rejected


def _bad_rows_query(source: LandingSource, view: str) -> sql.Composed:
    rules = rules_for(source)
    reasons = ", ".join(
        f"case when coalesce({r.predicate}, false) then {r.message} end" for r in rules
    )
    broken = " or ".join(f"coalesce({r.predicate}, false)" for r in rules)
    return sql.SQL(
        "create temp table _bad_rows on commit drop as "
        "select _row_number, concat_ws('; ', {reasons}) as reason from raw.{view} where {broken}"
    ).format(reasons=sql.SQL(reasons), view=sql.Identifier(view), broken=sql.SQL(broken))


def merge_batch(
    conn: psycopg.Connection, source: LandingSource, batch: StagedBatch, source_label: str
) -> LoadCounts:
    """Split the batch into loaded rows and rejects. Run inside a transaction."""
    columns = sql.SQL(", ").join(map(sql.Identifier, source.columns))
    view_columns = sql.SQL(", ").join(sql.Identifier("v", c) for c in source.columns)
    label = sql.Literal(source_label)
    staged = conn.execute(
        sql.SQL("select count(*) from raw.{}").format(sql.Identifier(batch.view))
    ).fetchone()[0]
    conn.execute(_bad_rows_query(source, batch.view))
    rejected = conn.execute(
        sql.SQL(
            "insert into raw.{rejects} ({columns}, _source, _row_number, _reject_reason, _raw) "
            "select {view_columns}, {label}, v._row_number, b.reason, v._raw "
            "from raw.{view} v join _bad_rows b using (_row_number)"
        ).format(
            rejects=sql.Identifier(source.rejects_table),
            columns=columns,
            view_columns=view_columns,
            label=label,
            view=sql.Identifier(batch.view),
        )
    ).rowcount
    loaded = conn.execute(
        sql.SQL(
            "insert into raw.{table} ({columns}, _source, _row_number) "
            "select {view_columns}, {label}, v._row_number from raw.{view} v "
            "where not exists (select from _bad_rows b where b._row_number = v._row_number)"
        ).format(
            table=sql.Identifier(source.raw_table),
            columns=columns,
            view_columns=view_columns,
            label=label,
            view=sql.Identifier(batch.view),
        )
    ).rowcount
    structural = _insert_structural_rejects(conn, source, batch, source_label)
    conn.execute("drop table _bad_rows")
    return LoadCounts(
        rows_read=staged + structural,
        rows_loaded=loaded,
        rows_rejected=rejected + structural,
        structural_reasons=Counter(r.reason for r in batch.structural_rejects),
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
