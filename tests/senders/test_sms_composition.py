"""SMS encoding and segment counts (3GPP TS 23.038 / 23.040)."""

from __future__ import annotations

import pytest

from senders.sms_composition import SmsShape, sms_encoding, sms_shape


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
