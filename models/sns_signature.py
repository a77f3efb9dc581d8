"""What AWS documents for checking an SNS message's signature, as plain functions.

An SNS message (HTTP(S) delivery) is signed by AWS: ``Signature`` is the base64 RSA signature
(PKCS #1 v1.5) of a *string to sign* made of some of its fields, with SHA1 for
``SignatureVersion`` 1 and SHA256 for 2, by the key of the X.509 certificate at
``SigningCertURL``. The string to sign is each field's name and value, each followed by a
newline, in this order, a field left out when the message has none:

- ``Notification``: Message, MessageId, Subject, Timestamp, TopicArn, Type;
- ``SubscriptionConfirmation`` / ``UnsubscribeConfirmation``: Message, MessageId,
  SubscribeURL, Timestamp, Token, TopicArn, Type.

The certificate is fetched only from AWS's SNS host for a region over HTTPS
(``https://sns.<region>.amazonaws.com/….pem``, ``.amazonaws.com.cn`` in China): any other
address — another host, plain HTTP, a look-alike such as
``sns.eu-west-1.amazonaws.com.evil.example`` — is refused without a request, since whoever
chose the address would choose the key. The same rule says which ``SubscribeURL`` we may fetch
to confirm a subscription.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

HASHES = {"1": "sha1", "2": "sha256"}  # SignatureVersion → the digest the RSA signature uses

_NOTIFICATION_FIELDS = ("Message", "MessageId", "Subject", "Timestamp", "TopicArn", "Type")
_SUBSCRIPTION_FIELDS = (
    "Message",
    "MessageId",
    "SubscribeURL",
    "Timestamp",
    "Token",
    "TopicArn",
    "Type",
)
_SNS_HOST = re.compile(r"^sns\.[a-z0-9-]+\.amazonaws\.com(\.cn)?$")


def string_to_sign(message: Mapping[str, Any]) -> bytes:
    """The bytes AWS signed for this SNS message."""
    fields = _NOTIFICATION_FIELDS if message.get("Type") == "Notification" else _SUBSCRIPTION_FIELDS
    lines = [f"{name}\n{message[name]}\n" for name in fields if message.get(name) is not None]
    return "".join(lines).encode("utf-8")


_SIGNING_CERT_PATH = re.compile(r"^/SimpleNotificationService-[0-9A-Za-z]+\.pem$")


def is_sns_url(url: str) -> bool:
    """Whether ``url`` is on AWS's SNS host for a region, over HTTPS, port 443."""
    parts = urlsplit(url)
    try:
        port = parts.port
    except ValueError:
        return False
    return (
        parts.scheme == "https"
        and not parts.username
        and not parts.password
        and port in (None, 443)
        and bool(_SNS_HOST.match(parts.hostname or ""))
    )


def is_signing_cert_url(url: str) -> bool:
    """Whether a ``SigningCertURL`` may be fetched: AWS's SNS host, and the name AWS gives its
    signing certificates, with no query, so a forged message cannot point us at any other
    resource on that host."""
    parts = urlsplit(url)
    return is_sns_url(url) and not parts.query and bool(_SIGNING_CERT_PATH.match(parts.path))
