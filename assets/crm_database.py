"""The CRM kept in a database: ``customers`` and ``vehicles`` tables reachable by a SQLAlchemy URL
(``TOUCHPOINT_CRM_URL``), extracted incrementally into the same raw tables as the CRM files.

Each table is read where ``updated_at >= `` the last high watermark: rows sharing the boundary
timestamp are read again rather than missed, and staging keeps one version per key, so a repeat
costs nothing. A table without ``updated_at`` is read whole every time. The watermark moves in
the same transaction as the rows it covers.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import psycopg
import sqlalchemy as sa

from assets.batch_staging import stage_rows
from assets.expectations import BatchExpectations, ExpectationOutcome
from assets.raw_loader import LoadCounts, drop_batch, split_batch
from models.landing import CRM_CUSTOMERS, CRM_VEHICLES, LandingSource
from warehouse.row_rules import judged_rules

CRM_TABLES: dict[str, str] = {CRM_CUSTOMERS.name: "customers", CRM_VEHICLES.name: "vehicles"}


def as_text(value) -> str | None:
    """Render a database value the way a CSV export would, so one set of rules fits both."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return (value if value.tzinfo else value.replace(tzinfo=UTC)).isoformat()
    if isinstance(value, date | Decimal | int | float):
        return str(value) if not isinstance(value, date) else value.isoformat()
    return str(value).strip()


def extract_crm_table(
    conn: psycopg.Connection,
    crm: sa.Engine,
    source: LandingSource,
    expectations: BatchExpectations,
) -> tuple[LoadCounts, list[ExpectationOutcome]]:
    table_name = CRM_TABLES[source.name]
    table = sa.Table(table_name, sa.MetaData(), autoload_with=crm)
    watermark = _watermark(conn, source)
    query = sa.select(table)
    if "updated_at" in table.c and watermark is not None:
        query = query.where(table.c.updated_at >= watermark)
    wanted = [c for c in source.columns if c in table.c]
    high = watermark
    with crm.connect() as crm_conn:
        rows = crm_conn.execute(query).mappings().all()
    staged = []
    for row in rows:
        staged.append(tuple(as_text(row[c]) if c in wanted else None for c in source.columns))
        if row.get("updated_at") is not None:
            stamp = row["updated_at"]
            stamp = stamp if stamp.tzinfo else stamp.replace(tzinfo=UTC)
            high = stamp if high is None or stamp > high else high
    with conn.transaction():
        batch = stage_rows(conn, source, staged)
        counts = split_batch(conn, source, batch, f"crm_db:{table_name}")
        outcomes = expectations.validate(judged_rules(source), counts.broken)
        if high is not None:
            _save_watermark(conn, source, high)
        drop_batch(conn, batch)
    return counts, outcomes


def _watermark(conn, source: LandingSource) -> datetime | None:
    row = conn.execute(
        "select high_watermark from raw._crm_watermarks where source = %s", (source.name,)
    ).fetchone()
    return row[0] if row else None


def _save_watermark(conn, source: LandingSource, high: datetime) -> None:
    conn.execute(
        "insert into raw._crm_watermarks (source, high_watermark) values (%s, %s) "
        "on conflict (source) do update set high_watermark = excluded.high_watermark, "
        "extracted_at = now()",
        (source.name, high),
    )
