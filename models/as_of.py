"""The run's as-of instant: one instant a run sees everywhere, carried as a run tag
(docs/architecture.md, The as-of instant).

A tag rather than per-step config, because every step of a run (dbt, campaigns, dispatch) must
see the same instant, and a schedule, a sensor, the CLI and the UI's launchpad can all set tags.
"""

from __future__ import annotations

from datetime import UTC, datetime

AS_OF_TAG = "touchpoint/as_of"


def parse_as_of(text: str) -> datetime:
    """An ISO 8601 instant; without an offset it is UTC, never the machine's zone."""
    try:
        instant = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(
            f"as-of must be an ISO 8601 date-time such as 2026-11-23T12:00:00+00:00, got {text!r}"
        ) from None
    return instant if instant.tzinfo else instant.replace(tzinfo=UTC)


def as_of_tags(instant: datetime) -> dict[str, str]:
    return {AS_OF_TAG: instant.isoformat()}
