"""What the journey sensor looks at: the newest reaction of a customer in an active enrolment,
and the earliest wait that has come due."""

from __future__ import annotations

from dataclasses import dataclass

import psycopg

from assets.resources import Warehouse

_PROGRESS = """
select
    (select max(ev.event_id) from messaging.message_events as ev
     where exists (select 1 from messaging.journey_enrolments as e
                   where e.customer_id = ev.customer_id and e.status = 'active')),
    (select min(e.due_at) from messaging.journey_enrolments as e
     where e.status = 'active' and e.due_at <= now())
"""


@dataclass(frozen=True)
class JourneyProgress:
    """`reaction`: the latest event id of an enrolled customer's reaction (None: none yet);
    `due`: the earliest wait due now, ISO text (None: nothing due)."""

    reaction: int | None
    due: str | None


def journey_progress(warehouse: Warehouse) -> JourneyProgress:
    """Nothing to do before the first journey run has made the tables."""
    try:
        with psycopg.connect(warehouse.url, connect_timeout=5) as conn:
            reaction, due = conn.execute(_PROGRESS).fetchone()
    except psycopg.errors.UndefinedTable:
        return JourneyProgress(None, None)
    return JourneyProgress(reaction, due.isoformat() if due else None)
