"""The records senders take and return (models/messages.py)."""

from __future__ import annotations

import uuid

import pytest
from pydantic import ValidationError

from models.messages import OutboundMessage, SendFailure


def test_an_outbox_row_with_all_its_columns_makes_a_message():
    row = {
        "message_id": uuid.uuid4(),
        "campaign": "birthday",
        "occurrence_key": "c-1:2026",
        "customer_id": "c-1",
        "channel": "sms",
        "recipient": "+32470123456",
        "locale": "fr",
        "subject": None,
        "body_text": None,
        "body_html": None,
        "sms_text": "Bon anniversaire ! STOP pour vous désabonner",
        "headers": {"X-Touchpoint-Campaign": "birthday"},
        "status": "sending",
        "attempts": 1,
        "lease_until": None,
    }

    message = OutboundMessage.model_validate(row)

    assert message.channel == "sms" and message.sms_text == row["sms_text"]


def test_a_channel_other_than_email_or_sms_is_refused():
    with pytest.raises(ValidationError):
        OutboundMessage(
            message_id=uuid.uuid4(),
            campaign="birthday",
            occurrence_key="k",
            customer_id="c",
            channel="best",
            recipient="x",
            locale="en",
        )


def test_a_failure_is_retryable_or_else_permanent_opted_out_or_in_doubt():
    assert SendFailure.transient("451").retryable
    assert SendFailure.permanent("opted out", opted_out=True).opted_out
    doubt = SendFailure.unknown_outcome("no answer")
    assert doubt.in_doubt and not doubt.retryable
    with pytest.raises(ValueError, match="retryable"):
        SendFailure("x", retryable=True, in_doubt=True)
