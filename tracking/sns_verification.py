"""Is this SNS message from AWS, about one of our topics? The check before anything is written.

A valid signature (``models.sns_signature``) proves AWS sent the message — but AWS sends for
anyone's topic: whoever owns an AWS account can subscribe our URL to a topic of theirs and
publish validly signed messages. So a message also has to name one of our topics
(``TOUCHPOINT_SNS_TOPIC_ARNS``); with none configured, no SNS message is accepted.

Order, cheapest first, so a forgery costs us no request: the signature fields, the certificate
URL's host rule, the topic, and only then the certificate — fetched once per URL and kept (AWS
rotates them rarely), its validity period checked at every use — and the RSA signature.

``fetch`` is the one way out to AWS (a GET of an ``https://sns.<region>.amazonaws.com`` URL
that already passed the host rule): the service is built with it, and tests build it with one
that answers from a local stand-in, so the host rule itself is never relaxed.
"""

from __future__ import annotations

import base64
import binascii
import functools
import urllib.request
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any
from urllib.error import URLError

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from models.sns_signature import HASHES, is_signing_cert_url, string_to_sign

Fetch = Callable[[str], bytes]

FETCH_TIMEOUT_SECONDS = 10
MAX_FETCHED_BYTES = 65536
_SIGNATURE_FIELDS = ("SignatureVersion", "Signature", "SigningCertURL")
_HASH_ALGORITHMS = {"sha1": hashes.SHA1, "sha256": hashes.SHA256}


class SnsRefused(Exception):
    """Why the message is not accepted, and the HTTP status that says so."""

    def __init__(self, reason: str, status: int = 403) -> None:
        super().__init__(reason)
        self.status = status


class SnsVerifier:
    def __init__(self, topics: frozenset[str], fetch: Fetch) -> None:
        self.topics = topics
        self._fetch = fetch
        self._certificate = functools.lru_cache(maxsize=16)(self._load_certificate)

    def check(self, message: Mapping[str, Any]) -> None:
        """Return when the message is AWS's, about one of our topics; raise SnsRefused
        otherwise. Blocking (it may fetch a certificate): call it from a thread."""
        missing = [field for field in _SIGNATURE_FIELDS if not message.get(field)]
        if missing:
            raise SnsRefused(f"an SNS message without {', '.join(missing)}", status=401)
        digest = HASHES.get(str(message["SignatureVersion"]))
        if digest is None:
            raise SnsRefused(f"SignatureVersion {message['SignatureVersion']!r} is not 1 nor 2")
        url = str(message["SigningCertURL"])
        if not is_signing_cert_url(url):
            raise SnsRefused(f"SigningCertURL {url!r} is no .pem on AWS's SNS host: not fetched")
        if message.get("TopicArn") not in self.topics:
            raise SnsRefused(f"topic {message.get('TopicArn')!r} is not one of ours")
        signature = _base64(message["Signature"])
        certificate = self._certificate(url)
        _check_validity(certificate, url)
        _check_signature(certificate, signature, string_to_sign(message), digest)

    def _load_certificate(self, url: str) -> x509.Certificate:
        try:
            pem = self._fetch(url)
        except (URLError, OSError, ValueError) as error:
            raise SnsRefused(f"could not fetch {url}: {error}; try again", status=502) from None
        try:
            return x509.load_pem_x509_certificate(pem)
        except ValueError:
            raise SnsRefused(f"{url} is not a PEM certificate") from None


def _base64(text: Any) -> bytes:
    try:
        return base64.b64decode(str(text), validate=True)
    except binascii.Error:
        raise SnsRefused("the Signature is not base64") from None


def _check_validity(certificate: x509.Certificate, url: str) -> None:
    now = datetime.now(UTC)
    if not certificate.not_valid_before_utc <= now <= certificate.not_valid_after_utc:
        raise SnsRefused(f"the certificate at {url} is not valid now")


def _check_signature(
    certificate: x509.Certificate, signature: bytes, signed: bytes, digest: str
) -> None:
    key = certificate.public_key()
    if not isinstance(key, rsa.RSAPublicKey):
        raise SnsRefused("the signing certificate does not hold an RSA key")
    try:
        key.verify(signature, signed, padding.PKCS1v15(), _HASH_ALGORITHMS[digest]())
    except InvalidSignature:
        raise SnsRefused("the SNS signature does not match the message") from None


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """An AWS URL that redirects elsewhere is not followed there."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):  # noqa: ANN001
        raise URLError(f"{req.full_url} redirected ({code}) to {newurl!r}: not followed")


_OPENER = urllib.request.build_opener(_NoRedirects)


def get_from_aws(url: str) -> bytes:
    """GET an SNS URL (a signing certificate, a subscription confirmation); an HTTP error
    status raises ``urllib.error.HTTPError``."""
    with _OPENER.open(url, timeout=FETCH_TIMEOUT_SECONDS) as response:
        return response.read(MAX_FETCHED_BYTES)
