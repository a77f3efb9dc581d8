"""Spans of time as journeys write them — `7d`, `24h`, `3y`, `6mo`, `1w2d` — kept in calendar
units so a wait means what a person means by it.

Years, months, weeks and days count on the customer's local calendar: "wait 7 days" from Friday
10:00 ends the next Friday at 10:00 in their time zone, across a change to or from summer time
(168 h ± 1 h of elapsed time). Hours and minutes count elapsed time: "wait 24 h" is 24 hours on
the clock, whatever the calendar does. A month from 31 January is 28 or 29 February, as in
PostgreSQL, which does the arithmetic (`CalendarSpan.sql_interval`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

SPAN_EXPECTED = "a span such as 7d, 24h, 2w, 6mo, 3y or 1d12h (y, mo, w, d, h, m)"

_SPAN = re.compile(r"^(?:\d+(?:y|mo|w|d|h|m))+$")
_PART = re.compile(r"(\d+)(y|mo|w|d|h|m)")


@dataclass(frozen=True, order=True)
class CalendarSpan:
    """A signed span: whole months, local days, and elapsed minutes."""

    months: int = 0
    days: int = 0
    minutes: int = 0

    @property
    def is_zero(self) -> bool:
        return not (self.months or self.days or self.minutes)

    @property
    def calendar_interval(self) -> str:
        """The local-calendar part as a PostgreSQL interval literal (`'14 mons 3 days'`)."""
        return f"{self.months} mons {self.days} days"

    @property
    def clock_interval(self) -> str:
        """The elapsed part as a PostgreSQL interval literal (`'90 minutes'`)."""
        return f"{self.minutes} minutes"

    def negated(self) -> CalendarSpan:
        return CalendarSpan(-self.months, -self.days, -self.minutes)

    def __str__(self) -> str:
        sign = "-" if min(self.months, self.days, self.minutes) < 0 else ""
        months, days, minutes = abs(self.months), abs(self.days), abs(self.minutes)
        parts = [
            (months // 12, "y"),
            (months % 12, "mo"),
            (days, "d"),
            (minutes // 60, "h"),
            (minutes % 60, "m"),
        ]
        return sign + ("".join(f"{count}{unit}" for count, unit in parts if count) or "0d")


def parse_span(text: str) -> CalendarSpan:
    """The span `text` names, optionally negative (`-14d`: before a date); ValueError otherwise."""
    compact = text.strip().lower().replace(" ", "")
    sign = -1 if compact.startswith("-") else 1
    compact = compact.removeprefix("-")
    if not _SPAN.match(compact):
        raise ValueError(f"expected {SPAN_EXPECTED}")
    months = days = minutes = 0
    for count, unit in _PART.findall(compact):
        value = int(count)
        if unit in ("y", "mo"):
            months += value * (12 if unit == "y" else 1)
        elif unit in ("w", "d"):
            days += value * (7 if unit == "w" else 1)
        else:
            minutes += value * (60 if unit == "h" else 1)
    return CalendarSpan(sign * months, sign * days, sign * minutes)
