"""What the due-messages sensor looks at: how many outbox rows need a dispatcher now."""

from __future__ import annotations

import psycopg

from assets.outbox_queue import needing_dispatch
from assets.resources import Warehouse


def due_message_count(warehouse: Warehouse) -> int:
    """0 before the first campaign run has made the outbox."""
    try:
        with psycopg.connect(warehouse.url, connect_timeout=5) as conn:
            return needing_dispatch(conn)
    except psycopg.errors.UndefinedTable:
        return 0
