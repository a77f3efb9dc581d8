"""An SMS a customer sent us, as the inbound webhook (``POST /sms/inbound``) accepts it.

Two JSON shapes, exactly these fields:

- AWS End User Messaging SMS (Pinpoint) two-way SMS, as its SNS topic delivers it over HTTP:
  an SNS envelope whose ``Message`` is ``{"originationNumber", "destinationNumber",
  "messageKeyword", "messageBody", "inboundMessageId", "previousPublishedMessageId"}`` (the
  bare object is accepted too);
- a plain ``{"from", "to", "text", "id"}`` for any other gateway.

``id`` / ``inboundMessageId`` is the provider's id of the inbound message: the same id twice is
one message delivered twice (webhooks retry), recorded once.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from models.payloads import PayloadError, json_object, validated
from models.sns_envelope import sns_envelope

MAX_TEXT = 1600  # ten concatenated segments; longer is not an SMS
_E164 = re.compile(r"^\+[1-9]\d{6,14}$")
_SEPARATORS = re.compile(r"[\s().-]")


class _AwsInboundSms(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    originationNumber: str
    destinationNumber: str
    messageBody: str
    inboundMessageId: str
    messageKeyword: str | None = None
    previousPublishedMessageId: str | None = None
    originationNumberId: str | None = None


class _PlainInboundSms(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    sender: str = Field(alias="from")
    to: str
    text: str
    id: str


@dataclass(frozen=True)
class InboundSms:
    sender: str  # the customer's number, E.164
    recipient: str  # our number
    text: str
    inbound_id: str


def inbound_sms(document: dict[str, Any]) -> InboundSms:
    """The SMS a webhook body carries, or a PayloadError saying what is wrong with it."""
    envelope = sns_envelope(document)
    if envelope is not None:
        if envelope.Type != "Notification":
            raise PayloadError(f"an SNS {envelope.Type} is not an SMS")
        document = json_object(envelope.Message, "SNS Message")
    if "originationNumber" in document or "inboundMessageId" in document:
        aws = validated(_AwsInboundSms, document, "inbound SMS")
        fields = (aws.originationNumber, aws.destinationNumber, aws.messageBody)
        inbound_id = aws.inboundMessageId
    elif "from" in document or "text" in document:
        plain = validated(_PlainInboundSms, document, "inbound SMS")
        fields, inbound_id = (plain.sender, plain.to, plain.text), plain.id
    else:
        raise PayloadError(
            "inbound SMS: expected an AWS two-way SMS (originationNumber, destinationNumber, "
            'messageBody, inboundMessageId) or {"from", "to", "text", "id"}'
        )
    sender, recipient, text = fields
    return InboundSms(_e164(sender, "from"), recipient.strip(), _text(text), _id(inbound_id))


def _e164(number: str, field: str) -> str:
    compact = _SEPARATORS.sub("", number)
    if compact.startswith("00"):
        compact = "+" + compact[2:]
    if not _E164.match(compact):
        raise PayloadError(f"inbound SMS: {field} {number!r} is not an E.164 phone number")
    return compact


def _text(text: str) -> str:
    if len(text) > MAX_TEXT:
        raise PayloadError(f"inbound SMS: the text is longer than {MAX_TEXT} characters")
    return text


def _id(inbound_id: str) -> str:
    inbound_id = inbound_id.strip()
    if not inbound_id or len(inbound_id) > 200:
        raise PayloadError("inbound SMS: the message id must be 1 to 200 characters")
    return inbound_id
