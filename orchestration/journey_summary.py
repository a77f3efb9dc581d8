"""The journeys part of a run's summary: customers per step of each journey, in the order the
steps are written, and the enrolments ended, by outcome and reason."""

from __future__ import annotations

import psycopg

from assets.journey_step import funnel_rows, journey_funnel
from models.journeys import JourneySpec

# Each journey that has enrolled anyone, with the spec of its latest version (its step order).
_ENROLLING_JOURNEYS = """
select distinct on (v.journey) v.journey, v.spec
from messaging.journey_versions as v
where exists (select 1 from messaging.journey_enrolments as e where e.journey = v.journey)
order by v.journey, v.first_seen_at desc
"""


def journey_lines(conn: psycopg.Connection) -> list[str]:
    """Nothing when no journey has enrolled anyone."""
    journeys = conn.execute(_ENROLLING_JOURNEYS).fetchall()
    if not journeys:
        return []
    lines = ["Journeys: customers per step"]
    for journey, spec in journeys:
        lines.append(f"  {journey}")
        rows = funnel_rows(JourneySpec.model_validate(spec), journey_funnel(conn, journey))
        for row in rows:
            label = f"({row.label})" if row.ended else row.label
            lines.append(f"    {label:<28} {row.customers:>6}")
    return lines
