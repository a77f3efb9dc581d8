"""Time for the synthetic data set: integer epoch seconds inside, ISO 8601 with offset outside.

Customers and stores live in a handful of IANA zones. Their UTC offsets follow two daylight
saving rules (EU and US), computed here rather than read from the system's tz database so that
the output is the same on every machine; ``tests`` check the rule against ``zoneinfo``.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta

MINUTE = 60
HOUR = 3600
DAY = 86_400
_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()
_SECONDS_PER_YEAR = 31_556_952  # mean Gregorian year; only used to find the year of an instant


@dataclass(frozen=True)
class Zone:
    """An IANA zone reduced to its standard offset and its daylight saving rule."""

    name: str
    std_minutes: int
    rule: str  # "eu", "us" or "" (no daylight saving time)


ZONES: dict[str, Zone] = {
    z.name: z
    for z in (
        Zone("Europe/Paris", 60, "eu"),
        Zone("Europe/Brussels", 60, "eu"),
        Zone("Europe/Berlin", 60, "eu"),
        Zone("Europe/Zurich", 60, "eu"),
        Zone("Europe/Madrid", 60, "eu"),
        Zone("Europe/Rome", 60, "eu"),
        Zone("Europe/Amsterdam", 60, "eu"),
        Zone("Europe/London", 0, "eu"),
        Zone("Atlantic/Canary", 0, "eu"),
        Zone("America/New_York", -300, "us"),
        Zone("America/Chicago", -360, "us"),
        Zone("America/Denver", -420, "us"),
        Zone("America/Phoenix", -420, ""),
        Zone("America/Los_Angeles", -480, "us"),
        Zone("Asia/Singapore", 480, ""),
        Zone("Australia/Perth", 480, ""),
        Zone("Australia/Brisbane", 600, ""),
    )
}

_DST_CACHE: dict[tuple[str, int, int], tuple[int, int]] = {}
_DAY_PREFIX: dict[int, str] = {}
_OFFSET_SUFFIX: dict[int, str] = {}


def day_start(day: date) -> int:
    """Epoch seconds of 00:00 UTC on ``day``."""
    return (day.toordinal() - _EPOCH_ORDINAL) * DAY


def to_date(ts: int) -> date:
    return date.fromordinal(_EPOCH_ORDINAL + ts // DAY)


def _sunday_on_or_before(day: date) -> date:
    return day - timedelta(days=(day.weekday() + 1) % 7)


def _dst_window(rule: str, std_minutes: int, year: int) -> tuple[int, int]:
    """UTC instants [start, end) of daylight saving time in ``year``."""
    key = (rule, std_minutes, year)
    window = _DST_CACHE.get(key)
    if window is None:
        if rule == "eu":  # last Sunday of March / October, 01:00 UTC
            start = day_start(_sunday_on_or_before(date(year, 3, 31))) + HOUR
            end = day_start(_sunday_on_or_before(date(year, 10, 31))) + HOUR
        else:  # second Sunday of March 02:00 local standard / first Sunday of November 02:00
            start = day_start(_sunday_on_or_before(date(year, 3, 14))) + 2 * HOUR
            end = day_start(_sunday_on_or_before(date(year, 11, 7))) + 2 * HOUR
            start -= std_minutes * MINUTE
            end -= (std_minutes + 60) * MINUTE
        window = _DST_CACHE[key] = (start, end)
    return window


def utc_offset_minutes(zone: Zone, ts: int) -> int:
    """The zone's offset from UTC at instant ``ts``, in minutes."""
    if not zone.rule:
        return zone.std_minutes
    start, end = _dst_window(zone.rule, zone.std_minutes, 1970 + ts // _SECONDS_PER_YEAR)
    return zone.std_minutes + 60 if start <= ts < end else zone.std_minutes


def local_date(zone: Zone, ts: int) -> date:
    return to_date(ts + utc_offset_minutes(zone, ts) * MINUTE)


def local_hour(zone: Zone, ts: int) -> int:
    return (ts + utc_offset_minutes(zone, ts) * MINUTE) % DAY // HOUR


def iso(ts: int, offset_minutes: int = 0) -> str:
    """``2025-03-02T10:11:12+01:00``: the instant ``ts`` written with the given offset.

    Same text as ``datetime.isoformat()``, built from cached day and offset parts: this runs
    for every row written.
    """
    day, seconds = divmod(ts + offset_minutes * MINUTE, DAY)
    prefix = _DAY_PREFIX.get(day)
    if prefix is None:
        prefix = _DAY_PREFIX[day] = date.fromordinal(_EPOCH_ORDINAL + day).isoformat() + "T"
    suffix = _OFFSET_SUFFIX.get(offset_minutes)
    if suffix is None:
        sign = "-" if offset_minutes < 0 else "+"
        hours, minutes = divmod(abs(offset_minutes), 60)
        suffix = _OFFSET_SUFFIX[offset_minutes] = f"{sign}{hours:02d}:{minutes:02d}"
    hour, rest = divmod(seconds, HOUR)
    return f"{prefix}{hour:02d}:{rest // MINUTE:02d}:{rest % MINUTE:02d}{suffix}"


def iso_local(zone: Zone, ts: int) -> str:
    return iso(ts, utc_offset_minutes(zone, ts))


def local_to_utc(zone: Zone, local_ts: int) -> int:
    """The instant whose wall-clock time in ``zone`` is ``local_ts`` (DST gaps resolved early)."""
    guess = local_ts - zone.std_minutes * MINUTE
    return local_ts - utc_offset_minutes(zone, guess) * MINUTE


def add_months(day: date, months: int) -> date:
    """``day`` moved by whole months, clamped to the month's last day (31 Jan + 1 = 28/29 Feb)."""
    year, month0 = divmod(day.year * 12 + day.month - 1 + months, 12)
    last = calendar.monthrange(year, month0 + 1)[1]
    return date(year, month0 + 1, min(day.day, last))


def is_leap(year: int) -> bool:
    return calendar.isleap(year)
