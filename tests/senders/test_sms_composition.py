"""SMS encoding and segment counts (3GPP TS 23.038 / 23.040)."""

from __future__ import annotations

import pytest

from senders.sms_composition import (
    SmsShape,
    over_segment_limit,
    sms_encoding,
    sms_shape,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", SmsShape("GSM-7", 0, 0)),
        ("Hello @ £5, à bientôt? Ñ", SmsShape("UCS-2", 24, 1)),  # ô is not GSM
        ("a" * 160, SmsShape("GSM-7", 160, 1)),
        ("a" * 161, SmsShape("GSM-7", 161, 2)),
        ("a" * 306, SmsShape("GSM-7", 306, 2)),
        ("a" * 307, SmsShape("GSM-7", 307, 3)),
        ("€" * 80, SmsShape("GSM-7", 160, 1)),  # extension characters take two septets
        ("€" * 81, SmsShape("GSM-7", 162, 2)),
        ("€" * 153, SmsShape("GSM-7", 306, 3)),  # 306 septets, but a pair is never split
        ("ł" * 70, SmsShape("UCS-2", 70, 1)),
        ("ł" * 71, SmsShape("UCS-2", 71, 2)),
        ("ł" * 134, SmsShape("UCS-2", 134, 2)),
        ("ł" * 135, SmsShape("UCS-2", 135, 3)),
        ("😀" * 35, SmsShape("UCS-2", 70, 1)),  # outside the BMP: a surrogate pair each
        ("😀" * 36, SmsShape("UCS-2", 72, 2)),
        ("😀" * 67, SmsShape("UCS-2", 134, 3)),  # 33 pairs a segment, never split
    ],
)
def test_segments(text, expected):
    assert sms_shape(text) == expected


def test_one_character_outside_gsm_turns_the_whole_text_into_ucs2():
    assert sms_encoding("-30 % sur la veste. STOP pour vous désabonner") == "GSM-7"
    assert sms_encoding("Reçu, merci. STOP pour vous désabonner") == "UCS-2"  # ç is not GSM
    assert sms_encoding("Votre veste – 30 %") == "UCS-2"  # nor is the en dash
    assert sms_encoding("Bedankt! 👍") == "UCS-2"


@pytest.mark.parametrize(
    ("fits", "over", "segments", "units"),
    [
        ("a" * 459, "a" * 460, 4, "460 septets of GSM-7"),
        # extension characters count double: 76 euros and a letter fill a 153-septet segment
        (("€" * 76 + "a") * 3, ("€" * 76 + "a") * 3 + "a", 4, "460 septets of GSM-7"),
        # 458 septets would fit 3 x 153, but a pair is never split across two segments
        ("€" * 228, "€" * 229, 4, "458 septets of GSM-7"),
        ("ç" * 201, "ç" * 202, 4, "202 UTF-16 units of UCS-2"),
        ("😀" * 99, "😀" * 99 + "ç" * 2, 4, "200 UTF-16 units of UCS-2"),  # 33 pairs a segment
    ],
)
def test_three_segments_pass_and_one_character_more_is_over_the_cap(fits, over, segments, units):
    assert sms_shape(fits).segments == 3
    assert over_segment_limit(fits, 3) is None
    assert over_segment_limit(over, 3) == (
        f"SMS is {segments} segments ({units}), above the limit of 3 (TOUCHPOINT_SMS_MAX_SEGMENTS)"
    )
