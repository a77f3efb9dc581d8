from datetime import timedelta

import pytest

from models.durations import parse_duration


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("30d", timedelta(days=30)),
        ("12h", timedelta(hours=12)),
        ("90m", timedelta(minutes=90)),
        ("2w", timedelta(weeks=2)),
        ("0d", timedelta(0)),
    ],
)
def test_a_duration_counts_weeks_days_hours_or_minutes(text, expected):
    assert parse_duration(text) == expected


def test_a_compound_duration_adds_its_parts():
    assert parse_duration("1d12h") == timedelta(days=1, hours=12)


@pytest.mark.parametrize("text", ["30", "30 days", "d", "1.5d", "-3d", ""])
def test_a_duration_without_a_known_unit_is_rejected_saying_what_was_expected(text):
    with pytest.raises(ValueError, match="expected a duration such as 30d"):
        parse_duration(text)
