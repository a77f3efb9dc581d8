"""The SNS envelope: what SNS POSTs to an HTTP(S) subscriber, and what it queues in SQS.

A ``Notification`` carries its payload as JSON text in ``Message`` (an SES event, an inbound
SMS); a ``SubscriptionConfirmation`` or ``UnsubscribeConfirmation`` is for the subscriber to
confirm or ignore. Exactly the documented fields: an unknown one is a PayloadError (a 400).
Whether AWS signed it is another question (``models.sns_signature``).
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from models.payloads import validated


class SnsEnvelope(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    Type: Literal["Notification", "SubscriptionConfirmation", "UnsubscribeConfirmation"]
    MessageId: str
    TopicArn: str
    Message: str
    Timestamp: str
    Subject: str | None = None
    Token: str | None = None
    SubscribeURL: str | None = None
    UnsubscribeURL: str | None = None
    SignatureVersion: str | None = None
    Signature: str | None = None
    SigningCertURL: str | None = None
    MessageAttributes: dict[str, Any] | None = None
    SequenceNumber: str | None = None


def sns_envelope(document: dict[str, Any]) -> SnsEnvelope | None:
    """The envelope when ``document`` is one (it has ``Type``), else None."""
    if "Type" not in document:
        return None
    return validated(SnsEnvelope, document, "SNS message")
