"""Judge a staged batch by every rule of its source, once, in the statement that stores it.

The judged batch table holds the contract's rows (``assets.batch_staging``) and a flag a rule,
true when the row breaks it, in the order of ``judged_rules``. The split (``assets.raw_loader``)
sends each row to raw or to the rejects by these flags, writes a reject's reasons from them and
counts them for Great Expectations: no rule is evaluated a second time. Judging as the batch is
staged puts the rules' cost on the staging connections, beside the parse, and leaves the
splitting connection the inserts alone.
"""

from __future__ import annotations

from collections.abc import Sequence

import psycopg
from psycopg import RawCursor, sql

from models.landing import LandingSource
from warehouse.row_rules import judged_rules


def rule_flags(source: LandingSource) -> list[str]:
    """The flag column of each rule of ``judged_rules(source)``, in its order."""
    return [f"_breaks_{i}" for i in range(len(judged_rules(source)))]


def judge_into(
    conn: psycopg.Connection,
    source: LandingSource,
    rows: sql.Composable,
    table: str,
    params: Sequence[object] = (),
) -> None:
    """Store ``rows`` (a query over the staged rows, its parameters ``params`` written ``$1``,
    ``$2``, … as PostgreSQL writes them, so that no ``%`` of a rule needs escaping) as
    ``raw.<table>``, each row with its flags. A NULL a rule's predicate yields counts as kept,
    not broken."""
    flags = sql.SQL(", ").join(
        sql.SQL("coalesce({}, false) as {}").format(sql.SQL(rule.predicate), sql.Identifier(flag))
        for rule, flag in zip(judged_rules(source), rule_flags(source), strict=True)
    )
    conn.execute(sql.SQL("drop table if exists raw.{}").format(sql.Identifier(table)))
    RawCursor(conn).execute(
        # offset 0: the rows are made once, not once for each rule that reads a value
        sql.SQL("create unlogged table raw.{} as select *, {} from ({} offset 0) as batch").format(
            sql.Identifier(table), flags, rows
        ),
        params,
    )
