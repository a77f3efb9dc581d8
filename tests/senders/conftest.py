"""Fixtures: a real SMTP server (aiosmtpd) per test, with and without PIPELINING, a self-signed
TLS certificate, a composer."""

from __future__ import annotations

import datetime as dt
import ipaddress
import ssl
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from models.tracking import TrackingLinks
from senders.email_composition import EmailComposer
from tests.senders.outbox_rows import FROM, SECRET, TRACKING_URL
from tests.senders.smtp_server import Mailbox, SmtpServer, free_port


@pytest.fixture
def start_smtp_server() -> Iterator[Callable[..., SmtpServer]]:
    controllers: list[Controller] = []

    def start(pipelining: bool = True, **smtp_options: Any) -> SmtpServer:
        mailbox, port = Mailbox(pipelining=pipelining), free_port()
        controller = Controller(mailbox, hostname="127.0.0.1", port=port, **smtp_options)
        controller.start()
        controllers.append(controller)
        return SmtpServer(mailbox, port)

    yield start
    for controller in controllers:
        controller.stop()


@pytest.fixture(params=[True, False], ids=["pipelining", "one-command-at-a-time"])
def smtp_server(start_smtp_server, request) -> SmtpServer:
    """A server that offers PIPELINING (as real ones do), and one that does not."""
    return start_smtp_server(pipelining=request.param)


@dataclass(frozen=True)
class Certificate:
    server_context: ssl.SSLContext
    client_context: ssl.SSLContext


@pytest.fixture
def certificate(tmp_path: Path) -> Certificate:
    """A self-signed certificate for 127.0.0.1, trusted by the client context only."""
    x509 = pytest.importorskip("cryptography.x509", reason="cryptography makes the test cert")
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    server_context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_context.load_cert_chain(cert_path, key_path)
    return Certificate(server_context, ssl.create_default_context(cafile=str(cert_path)))


@pytest.fixture
def composer() -> EmailComposer:
    return EmailComposer(FROM, TrackingLinks(TRACKING_URL, SECRET))


@pytest.fixture
def aws_settings(monkeypatch):
    """Credentials and a region for a client that never reaches AWS."""
    for name, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "eu-west-1",
    }.items():
        monkeypatch.setenv(name, value)


@pytest.fixture
def moto_endpoint(moto_endpoint: str) -> str:
    """The session's moto server, emptied first: its data dump cannot serialise every other
    service's leftovers (the S3 objects of the ingest tests), and each test reads its own."""
    import urllib.request

    reset = urllib.request.Request(f"{moto_endpoint}/moto-api/reset", method="POST")
    urllib.request.urlopen(reset, timeout=5).close()
    return moto_endpoint
