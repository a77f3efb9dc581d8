"""The tracking service's own setting: which SNS topics it takes messages from."""

from __future__ import annotations

import pytest

from orchestration.settings import load_settings

OURS = "arn:aws:sns:eu-west-1:123456789012:touchpoint-events"
INBOUND = "arn:aws:sns:eu-west-1:123456789012:touchpoint-inbound-sms"


def test_no_topic_is_trusted_unless_named(monkeypatch):
    monkeypatch.delenv("TOUCHPOINT_SNS_TOPIC_ARNS", raising=False)

    assert load_settings().sns_topic_arns == ()


def test_topics_are_separated_by_commas_or_spaces(monkeypatch):
    monkeypatch.setenv("TOUCHPOINT_SNS_TOPIC_ARNS", f" {OURS}, {INBOUND}\n")

    assert load_settings().sns_topic_arns == (OURS, INBOUND)


@pytest.mark.parametrize(
    "value", ["touchpoint-events", "arn:aws:sqs:eu-west-1:123456789012:q", "arn:aws:sns:::t"]
)
def test_something_that_is_not_a_topic_arn_is_an_error_naming_it(monkeypatch, value):
    monkeypatch.setenv("TOUCHPOINT_SNS_TOPIC_ARNS", value)

    with pytest.raises(ValueError, match=f"TOUCHPOINT_SNS_TOPIC_ARNS: '{value}' is not"):
        load_settings()
