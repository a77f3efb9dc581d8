"""How an SMS text travels: GSM-7 or UCS-2, and in how many segments (3GPP TS 23.038 / 23.040).

A text made only of the GSM 03.38 alphabet goes as GSM-7: 160 septets in one message, 153 per
segment once it is split (the user-data header takes the rest); characters of the extension
table (``€``, ``[``, ``{``, …) take two septets and a split never separates the pair. Any other
character (an emoji, ``ç``, Cyrillic) turns the whole text into UCS-2: 70 UTF-16 units in one
message, 67 per segment, and a split never separates a surrogate pair. Operators bill by
segment, so the count is recorded with each send, and a text is capped at a number of segments
(``TOUCHPOINT_SMS_MAX_SEGMENTS``): a customer's 5,000-letter name must not become a 34-part SMS.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

_GSM_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
_GSM_EXTENSION = frozenset("\f^{}\\[~]|€")

Encoding = Literal["GSM-7", "UCS-2"]
DEFAULT_MAX_SEGMENTS = 3


@dataclass(frozen=True)
class SmsShape:
    encoding: Encoding
    units: int  # septets (GSM-7) or UTF-16 code units (UCS-2)
    segments: int


def sms_encoding(text: str) -> Encoding:
    return "GSM-7" if all(c in _GSM_BASIC or c in _GSM_EXTENSION for c in text) else "UCS-2"


def sms_shape(text: str) -> SmsShape:
    """Encoding, length in that encoding's units, and segment count (0 for an empty text)."""
    if sms_encoding(text) == "GSM-7":
        widths = [2 if c in _GSM_EXTENSION else 1 for c in text]
        return SmsShape("GSM-7", sum(widths), _segments(widths, single=160, multi=153))
    widths = [2 if ord(c) > 0xFFFF else 1 for c in text]
    return SmsShape("UCS-2", sum(widths), _segments(widths, single=70, multi=67))


def over_segment_limit(text: str, max_segments: int) -> str | None:
    """Why ``text`` may not go out as one SMS of at most ``max_segments`` segments, else None."""
    shape = sms_shape(text)
    if shape.segments <= max_segments:
        return None
    unit = "septets" if shape.encoding == "GSM-7" else "UTF-16 units"
    return (
        f"SMS is {shape.segments} segments ({shape.units} {unit} of {shape.encoding}), above "
        f"the limit of {max_segments} (TOUCHPOINT_SMS_MAX_SEGMENTS)"
    )


def _segments(widths: list[int], *, single: int, multi: int) -> int:
    """Segments needed when no character (of width 1 or 2 units) may straddle two segments."""
    total = sum(widths)
    if total <= single:
        return 1 if total else 0
    segments, used = 1, 0
    for width in widths:
        if used + width > multi:
            segments, used = segments + 1, 0
        used += width
    return segments
