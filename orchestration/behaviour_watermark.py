"""What the new-behaviour sensor looks at: the latest load into the behaviour tables."""

from __future__ import annotations

import psycopg

from assets.resources import Warehouse

# Only rows loaded after the last look: the BRIN index on `_loaded_at` (warehouse/raw_schema.py)
# keeps the read to the newest blocks of the tables, however many millions of rows they hold.
WATERMARK_SQL = """
select greatest(
    (select max(_loaded_at) from raw.web_events where _loaded_at > %(since)s::timestamptz),
    (select max(_loaded_at) from raw.pos_transactions where _loaded_at > %(since)s::timestamptz)
)
"""


def behaviour_watermark(warehouse: Warehouse, since: str | None) -> str | None:
    """ISO text of the latest `_loaded_at` after ``since`` (ISO text, None for the first look);
    ``since`` when nothing was loaded after it; None before the first load."""
    try:
        with psycopg.connect(warehouse.url, connect_timeout=5) as conn:
            value = conn.execute(WATERMARK_SQL, {"since": since or "-infinity"}).fetchone()[0]
    except psycopg.errors.UndefinedTable:
        return None
    return value.isoformat() if value else since
