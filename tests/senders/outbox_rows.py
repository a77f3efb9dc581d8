"""Outbox rows to send, and the settings the senders are built with in these tests."""

from __future__ import annotations

import uuid
from typing import Any

from models.messages import OutboundMessage

TRACKING_URL = "https://t.shop.example"
SECRET = "test-secret-not-for-production"
FROM = "Shop Team <hello@shop.example>"


def email_message(**fields: Any) -> OutboundMessage:
    message_id = fields.pop("message_id", uuid.uuid4())
    values = {
        "message_id": message_id,
        "campaign": "birthday",
        "occurrence_key": f"c-{message_id.hex[:8]}:2026",
        "customer_id": "c-1",
        "channel": "email",
        "recipient": "zoe@example.com",
        "locale": "fr-BE",
        "subject": "Joyeux anniversaire, Zoë !",
        "body_text": "Bonjour Zoë,\n\nVous avez 42 ans aujourd'hui.\n.Une ligne qui commence par .",
        "body_html": (
            '<html><body><p>Bonjour Zoë,</p><p><a href="https://shop.example/offre?a=1&amp;b=2">'
            "Votre cadeau</a> · <a href='https://shop.example/'>boutique</a> · "
            '<a href="mailto:help@shop.example">aide</a></p></body></html>'
        ),
        "headers": {
            "X-Touchpoint-Campaign": "birthday",
            "X-Touchpoint-Message-Id": str(message_id),
            "Content-Language": "fr-BE",
        },
    }
    return OutboundMessage(**(values | fields))


def sms_message(**fields: Any) -> OutboundMessage:
    message_id = fields.pop("message_id", uuid.uuid4())
    values = {
        "message_id": message_id,
        "campaign": "product_interest",
        "occurrence_key": f"c-1:p-{message_id.hex[:8]}",
        "customer_id": "c-1",
        "channel": "sms",
        "recipient": "+32470123456",
        "locale": "fr",
        "sms_text": "-30 % sur la veste Alba avec le code ALBA30. STOP pour vous désabonner",
    }
    return OutboundMessage(**(values | fields))
