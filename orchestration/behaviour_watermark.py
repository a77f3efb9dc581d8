"""What the new-behaviour sensor looks at: the latest load into the behaviour tables."""

from __future__ import annotations

import psycopg

from assets.resources import Warehouse

_WATERMARK = """
select greatest(
    (select max(_loaded_at) from raw.web_events),
    (select max(_loaded_at) from raw.pos_transactions)
)
"""


def behaviour_watermark(warehouse: Warehouse) -> str | None:
    """ISO text of the latest `_loaded_at`, or None before the first load (or the first run)."""
    try:
        with psycopg.connect(warehouse.url, connect_timeout=5) as conn:
            value = conn.execute(_WATERMARK).fetchone()[0]
    except psycopg.errors.UndefinedTable:
        return None
    return value.isoformat() if value else None
