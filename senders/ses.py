"""Email through Amazon SES (sesv2 ``SendEmail`` with raw content).

The mail goes as the composed MIME bytes, so every header of ours reaches the recipient as
written (SES's "simple" content would rebuild the message and drop them). A configuration set
names where SES publishes delivery, bounce, complaint, open and click events; the campaign and
message id also go as message tags, so those events can be matched back to the outbox row.
What each error means for the message is in senders/aws.py; in short, a send whose answer
timed out is in doubt and never retried.
"""

from __future__ import annotations

import re
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from models.messages import Accepted, OutboundMessage, SendFailure, SendResult
from senders.aws import classify_aws_error, send_client
from senders.email_composition import CompositionError, EmailComposer
from senders.protocol import Sender, require_channel

_TAG_UNSAFE = re.compile(r"[^A-Za-z0-9_-]")  # SES message tags allow these characters only


class SesSender(Sender):
    def __init__(
        self,
        composer: EmailComposer,
        *,
        configuration_set: str | None = None,
        client: Any = None,
        read_timeout: float = 15,
    ) -> None:
        self.composer = composer
        self.configuration_set = configuration_set
        self.client = client or send_client("sesv2", read_timeout=read_timeout)

    def send(self, message: OutboundMessage) -> SendResult:
        require_channel(message, "email", "SesSender")
        try:
            mail = self.composer.compose(message)
        except CompositionError as error:
            return SendFailure.permanent(str(error))
        request: dict[str, Any] = {
            "FromEmailAddress": mail.mail_from,
            "Destination": {"ToAddresses": [mail.recipient]},
            "Content": {"Raw": {"Data": mail.data}},
            "EmailTags": [
                {"Name": "touchpoint-campaign", "Value": _tag(message.campaign)},
                {"Name": "touchpoint-message-id", "Value": str(message.message_id)},
            ],
        }
        if self.configuration_set:
            request["ConfigurationSetName"] = self.configuration_set
        try:
            response = self.client.send_email(**request)
        except (BotoCoreError, ClientError) as error:
            return classify_aws_error(error, "SES SendEmail")
        return Accepted(response["MessageId"], {"message_id_header": mail.message_id})

    def close(self) -> None:
        self.client.close()


def _tag(value: str) -> str:
    return _TAG_UNSAFE.sub("_", value)[:256] or "_"
