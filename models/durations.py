"""Durations as marketers write them in campaign YAML: `30d`, `12h`, `1d12h`, `90m`, `2w`."""

from __future__ import annotations

import re
from datetime import timedelta

_UNITS = {"w": "weeks", "d": "days", "h": "hours", "m": "minutes"}
_DURATION = re.compile(r"^(?:\d+[wdhm])+$")
_PART = re.compile(r"(\d+)([wdhm])")

DURATION_EXPECTED = "a duration such as 30d, 12h, 1d12h, 90m or 2w (w, d, h, m)"


def parse_duration(text: str) -> timedelta:
    """The duration `text` names; raises ValueError saying what was expected."""
    compact = text.strip().lower().replace(" ", "")
    if not _DURATION.match(compact):
        raise ValueError(f"expected {DURATION_EXPECTED}")
    return sum(
        (timedelta(**{_UNITS[unit]: int(count)}) for count, unit in _PART.findall(compact)),
        timedelta(),
    )
