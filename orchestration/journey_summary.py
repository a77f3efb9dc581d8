"""The journeys part of a run's summary: customers per step of each journey, in the order the
steps are written, and the enrolments ended, by outcome and reason."""

from __future__ import annotations

import psycopg

from models.journeys import JourneySpec

_PER_STEP = """
select e.journey, v.spec, e.status, e.step, coalesce(e.reason, e.status), count(*)
from messaging.journey_enrolments as e
inner join messaging.journey_versions as v on v.journey = e.journey and v.version = e.version
group by 1, 2, 3, 4, 5
order by 1, 3, 5
"""


def journey_lines(conn: psycopg.Connection) -> list[str]:
    """Nothing when no journey has enrolled anyone."""
    journeys: dict[str, dict] = {}
    for journey, spec, status, step, reason, count in conn.execute(_PER_STEP).fetchall():
        counts = journeys.setdefault(journey, {"order": _step_order(spec), "at": {}, "ended": {}})
        if status == "active":
            counts["at"][step] = counts["at"].get(step, 0) + count
        else:
            label = status if reason == status else f"{status}: {reason}"
            counts["ended"][label] = counts["ended"].get(label, 0) + count
    if not journeys:
        return []
    lines = ["Journeys: customers per step"]
    for journey, counts in journeys.items():
        lines.append(f"  {journey}")
        order = counts["order"] + [s for s in counts["at"] if s not in counts["order"]]
        for step in order:
            lines.append(f"    {step:<28} {counts['at'].get(step, 0):>6}")
        for label, count in sorted(counts["ended"].items()):
            lines.append(f"    ({label}){'':<{max(0, 26 - len(label))}} {count:>6}")
    return lines


def _step_order(spec: dict) -> list[str]:
    return [step.id for step in JourneySpec.model_validate(spec).steps]
