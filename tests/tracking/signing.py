"""Signing requests the way the tracking service's callers do: an integrator with
``X-Touchpoint-Signature``, and AWS signing SNS messages (``FakeSns``, which also stands in
for AWS's hosts as the service's ``fetch_from_aws``).

The SNS string to sign is built here from AWS's documentation, not from the code under test,
so a mistake there cannot hide behind the same mistake here."""

from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.error import HTTPError

import httpx
import orjson
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.oid import NameOID

from tests.tracking.service_rows import SECRET

CERT_URL = "https://sns.eu-west-1.amazonaws.com/SimpleNotificationService-0123456789.pem"
EXPIRED_CERT_URL = "https://sns.eu-west-1.amazonaws.com/SimpleNotificationService-expired.pem"


def hmac_header(body: bytes, secret: str = SECRET) -> dict[str, str]:
    digest = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return {"X-Touchpoint-Signature": f"sha256={digest}"}


def post_signed(
    client: httpx.Client, path: str, body: dict | bytes, secret: str = SECRET, **headers: str
):
    """POST ``body`` (JSON when a dict) signed with ``secret``, as a gateway does."""
    content = body if isinstance(body, bytes) else orjson.dumps(body)
    signature = hmac_header(content, secret)
    return client.post(path, content=content, headers={**signature, **headers})


def post_sns(client: httpx.Client, path: str, message: dict):
    """POST as SNS does: JSON with the text/plain content type, no header of ours."""
    return client.post(path, content=orjson.dumps(message), headers={"content-type": "text/plain"})


_SIGNED_FIELDS = {
    "Notification": ("Message", "MessageId", "Subject", "Timestamp", "TopicArn", "Type"),
    "SubscriptionConfirmation": (
        "Message", "MessageId", "SubscribeURL", "Timestamp", "Token", "TopicArn", "Type"
    ),
}  # fmt: skip
_SIGNED_FIELDS["UnsubscribeConfirmation"] = _SIGNED_FIELDS["SubscriptionConfirmation"]


class FakeSns:
    """AWS's SNS hosts as far as the service can see them: the certificates they serve, the
    subscription confirmations they answer, and every URL the service fetched."""

    def __init__(self) -> None:
        self.fetched: list[str] = []
        self._keys: dict[str, rsa.RSAPrivateKey] = {}
        self._served: dict[str, bytes] = {}
        now = datetime.now(UTC)
        self.serve_certificate(CERT_URL, now - timedelta(days=1), now + timedelta(days=365))
        self.serve_certificate(EXPIRED_CERT_URL, now - timedelta(days=30), now - timedelta(days=1))

    def serve_certificate(self, url: str, valid_from: datetime, valid_until: datetime) -> None:
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "sns.amazonaws.com")])
        certificate = (
            x509.CertificateBuilder()
            .subject_name(name)
            .issuer_name(name)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(valid_from)
            .not_valid_after(valid_until)
            .sign(key, hashes.SHA256())
        )
        self._keys[url] = key
        self._served[url] = certificate.public_bytes(serialization.Encoding.PEM)

    def fetch(self, url: str) -> bytes:
        self.fetched.append(url)
        if url in self._served:
            return self._served[url]
        if "Action=ConfirmSubscription" in url:
            return b"<ConfirmSubscriptionResponse/>"
        raise HTTPError(url, 404, "Not Found", None, None)  # type: ignore[arg-type]

    def signed(
        self, message: dict[str, Any], version: str = "2", cert_url: str = CERT_URL, key_of=None
    ) -> dict[str, Any]:
        """``message`` signed as AWS signs it, by the key of the certificate at ``key_of``
        (default: ``cert_url``), naming ``cert_url`` as its SigningCertURL."""
        fields = _SIGNED_FIELDS[message["Type"]]
        text = "".join(f"{f}\n{message[f]}\n" for f in fields if message.get(f) is not None)
        digest = hashes.SHA1() if version == "1" else hashes.SHA256()
        key = self._keys[key_of or cert_url]
        signature = key.sign(text.encode(), padding.PKCS1v15(), digest)
        return {
            **message,
            "SignatureVersion": version,
            "Signature": base64.b64encode(signature).decode(),
            "SigningCertURL": cert_url,
        }


FAKE_SNS = FakeSns()
