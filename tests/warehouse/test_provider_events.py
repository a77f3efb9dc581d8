"""SES events, raw or in SNS envelopes, as message events."""

from __future__ import annotations

import uuid

import orjson
import pytest

from models.payloads import PayloadError
from models.sns_envelope import SnsEnvelope
from tests.tracking.service_rows import ses_event, sns_notification
from warehouse.provider_events import ProviderEvent, Skipped, provider_message

OURS = uuid.UUID("6c5e3c4e-59f2-4a44-a0a4-2a4b0f3d9a11")


@pytest.mark.parametrize(
    ("kind", "part", "expected_type", "expected_detail"),
    [
        ("Delivery", {"smtpResponse": "250 OK"}, "delivered", {"smtp_response": "250 OK"}),
        ("Bounce", {"bounceType": "Permanent"}, "bounced", {"bounce_type": "hard"}),
        ("Bounce", {"bounceType": "Transient"}, "bounced", {"bounce_type": "soft"}),
        ("Bounce", {"bounceType": "Undetermined"}, "bounced", {"bounce_type": "undetermined"}),
        ("Complaint", {"complaintFeedbackType": "abuse"}, "complained", {"feedback_type": "abuse"}),
        ("Open", {}, "opened", {}),
        ("Click", {"link": "https://shop.example/"}, "clicked", {"url": "https://shop.example/"}),
        ("Reject", {"reason": "Bad content"}, "failed", {}),
        ("DeliveryDelay", {"delayType": "MailboxFull"}, "deferred", {"delay_type": "MailboxFull"}),
    ],
)
def test_each_ses_event_kind_becomes_its_message_event(kind, part, expected_type, expected_detail):
    event = provider_message(ses_event(kind, "ses-1", OURS, **part))

    assert isinstance(event, ProviderEvent)
    assert (event.type, event.message_id, event.provider_message_id) == (
        expected_type,
        OURS,
        "ses-1",
    )
    assert expected_detail.items() <= event.detail.items()


def test_an_event_is_the_same_event_with_or_without_its_envelope():
    raw = ses_event("Delivery", "ses-1", OURS)

    direct = provider_message(raw)
    wrapped = provider_message(sns_notification(raw))
    wrapped_again = provider_message(sns_notification(raw))  # a new SNS MessageId

    assert direct.source_event_id == wrapped.source_event_id == wrapped_again.source_event_id
    assert (
        direct.source_event_id != provider_message(ses_event("Open", "ses-1", OURS)).source_event_id
    )


def test_our_id_comes_from_the_tag_else_from_the_header():
    event = ses_event("Open", "ses-1")
    event["mail"]["headers"] = [{"name": "X-Touchpoint-Message-Id", "value": str(OURS)}]

    assert provider_message(event).message_id == OURS
    assert provider_message(ses_event("Open", "ses-1")).message_id is None


def test_identity_notifications_are_understood_and_send_events_are_skipped():
    notification = ses_event("Bounce", "ses-1", OURS, bounceType="Permanent")
    notification["notificationType"] = notification.pop("eventType")

    assert provider_message(notification).type == "bounced"
    assert isinstance(provider_message(ses_event("Send", "ses-1", OURS)), Skipped)


def test_subscription_messages_are_handed_back_to_be_confirmed():
    body = {**sns_notification({}), "Type": "SubscriptionConfirmation", "SubscribeURL": "https://x"}

    assert isinstance(provider_message(body), SnsEnvelope)


@pytest.mark.parametrize(
    "document",
    [
        {"eventType": "Open"},
        {"eventType": "Open", "mail": {"messageId": "x"}, "surprise": 1},
        {"eventType": "Open", "notificationType": "Open", "mail": {"messageId": "x"}},
        {"eventType": 3, "mail": {"messageId": "x"}},
        {"eventType": "Open", "mail": {"messageId": "x"}, "open": {"timestamp": "yesterday"}},
        {"eventType": "Open", "mail": {"messageId": "x"}, "open": {"timestamp": "2026-11-24"}},
        {**sns_notification({}), "Message": "[]"},
        {**sns_notification({}), "Extra": "field"},
    ],
)
def test_malformed_events_are_refused_with_a_reason(document):
    with pytest.raises(PayloadError):
        provider_message(orjson.loads(orjson.dumps(document)))
