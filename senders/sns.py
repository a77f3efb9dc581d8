"""SMS through Amazon SNS ``Publish`` to a phone number.

The campaign and message id travel as the message attributes ``X-Touchpoint-Campaign`` and
``X-Touchpoint-Message-Id`` (docs/architecture.md, Campaigns), beside ``AWS.SNS.SMS.SMSType``:
``Promotional`` (cheapest route) for marketing, ``Transactional`` (the reliable route carriers
do not filter as marketing) for what the customer asked for or needs — a reply to their STOP, a
service reminder. A number that opted out at AWS (replied STOP to an AWS number) does not get
the SMS: SNS accepts the publish and drops it silently, so the number is checked first
(``CheckIfPhoneNumberIsOptedOut``); an opted-out number, found then or reported by the publish,
is a permanent failure flagged ``opted_out`` so the dispatcher records the opt-out. The check is
a read: when it fails, nothing was sent and the message can be retried.
"""

from __future__ import annotations

import re
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from models.messages import Accepted, OutboundMessage, SendFailure, SendResult
from senders.aws import classify_aws_error, send_client
from senders.protocol import Sender, require_channel
from senders.sms_composition import sms_shape

_E164 = re.compile(r"^\+[1-9]\d{6,14}$")


class SnsSender(Sender):
    def __init__(
        self,
        *,
        client: Any = None,
        sender_id: str | None = None,
        check_opt_out: bool = True,
        read_timeout: float = 15,
    ) -> None:
        self.client = client or send_client("sns", read_timeout=read_timeout)
        self.sender_id = sender_id
        self.check_opt_out = check_opt_out

    def send(self, message: OutboundMessage) -> SendResult:
        require_channel(message, "sms", "SnsSender")
        problem = _problem(message)
        if problem:
            return SendFailure.permanent(f"message {message.message_id}: {problem}")
        if self.check_opt_out:
            opted_out = self._opted_out(message.recipient)
            if opted_out is not None:
                return opted_out
        try:
            response = self.client.publish(
                PhoneNumber=message.recipient,
                Message=message.sms_text,
                MessageAttributes=self._attributes(message),
            )
        except (BotoCoreError, ClientError) as error:
            return classify_aws_error(error, "SNS Publish")
        shape = sms_shape(message.sms_text or "")
        detail = {"encoding": shape.encoding, "segments": shape.segments}
        return Accepted(response["MessageId"], detail)

    def close(self) -> None:
        self.client.close()

    def _opted_out(self, phone_number: str) -> SendFailure | None:
        """The failure to return when the number cannot or must not get the SMS, else None."""
        try:
            answer = self.client.check_if_phone_number_is_opted_out(phoneNumber=phone_number)
        except (BotoCoreError, ClientError) as error:
            failure = classify_aws_error(error, "SNS opt-out check")
            # A read sends nothing: an unanswered check leaves nothing in doubt.
            return SendFailure.transient(failure.reason) if failure.in_doubt else failure
        if answer.get("isOptedOut"):
            return SendFailure.permanent(f"{phone_number} opted out of SMS", opted_out=True)
        return None

    def _attributes(self, message: OutboundMessage) -> dict[str, dict[str, str]]:
        attributes = {
            "X-Touchpoint-Campaign": message.campaign,
            "X-Touchpoint-Message-Id": str(message.message_id),
            "AWS.SNS.SMS.SMSType": "Promotional" if message.marketing else "Transactional",
        }
        if self.sender_id:
            attributes["AWS.SNS.SMS.SenderID"] = self.sender_id
        return {
            name: {"DataType": "String", "StringValue": value} for name, value in attributes.items()
        }


def _problem(message: OutboundMessage) -> str | None:
    if not _E164.match(message.recipient):
        return f"recipient {message.recipient!r} is not an E.164 phone number"
    if not (message.sms_text or "").strip():
        return "no SMS text"
    return None
