"""An SMTP server's handler (aiosmtpd) that keeps every mail and can be told to misbehave."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

SMTP_USER, SMTP_PASSWORD = "mailer", "p@ss word:1"
# What real servers enforce (RFC 5322 §2.1.1); aiosmtpd alone lets one more character through.
MAX_LINE = 998


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass(frozen=True)
class Received:
    mail_from: str
    recipients: list[str]
    data: bytes


@dataclass
class Mailbox:
    """The server's handler. Like a real server, it refuses a mail with a line over 998
    characters, and offers PIPELINING unless told not to (aiosmtpd reads pipelined commands
    one after another, as RFC 2920 asks). Misbehaviour is keyed by recipient:

    - ``refuse_rcpt``: the reply to ``RCPT TO``;
    - ``refuse_data``: replies to give, one per attempt, after the content, instead of 250;
    - ``hang_up_after``: accept, then close the connection (as an idle timeout would);
    - ``vanish_after_data``: keep the mail, then drop the connection without answering.
    """

    received: list[Received] = field(default_factory=list)
    connections: set[tuple] = field(default_factory=set)
    refuse_rcpt: dict[str, str] = field(default_factory=dict)
    refuse_data: dict[str, list[str]] = field(default_factory=dict)
    hang_up_after: set[str] = field(default_factory=set)
    vanish_after_data: set[str] = field(default_factory=set)
    pipelining: bool = True

    def to(self, recipient: str) -> list[Received]:
        return [mail for mail in self.received if recipient in mail.recipients]

    async def handle_EHLO(self, server, session, envelope, hostname, responses) -> list[str]:
        session.host_name = hostname  # what aiosmtpd does itself when there is no hook
        if self.pipelining:
            responses.insert(-1, "250-PIPELINING")
        return responses

    async def handle_MAIL(self, server, session, envelope, address, mail_options) -> str:
        self.connections.add(session.peer)
        envelope.mail_from = address
        return "250 OK"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options) -> str:
        if address in self.refuse_rcpt:
            return self.refuse_rcpt[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope) -> str:
        recipient = envelope.rcpt_tos[0]
        if any(len(line) > MAX_LINE for line in envelope.content.split(b"\r\n")):
            return f"550 5.6.0 a line is longer than {MAX_LINE} characters (RFC 5322 2.1.1)"
        if self.refuse_data.get(recipient):
            return self.refuse_data[recipient].pop(0)
        mail = Received(envelope.mail_from, list(envelope.rcpt_tos), envelope.content)
        self.received.append(mail)
        if recipient in self.vanish_after_data:
            server.transport.abort()
        elif recipient in self.hang_up_after:
            # Answer, then close at once: commands a pipelining client sent behind the mail
            # go unanswered, as after an idle timeout (aiosmtpd's own answer to them, and the
            # repeated 250 below, go nowhere once the transport is closed).
            await server.push("250 2.0.0 OK queued")
            server.transport.close()
        return "250 2.0.0 OK queued"


@dataclass
class SmtpServer:
    mailbox: Mailbox
    port: int

    def url(self, scheme: str = "smtp", credentials: str = "", query: str = "") -> str:
        return f"{scheme}://{credentials}127.0.0.1:{self.port}{query}"


@contextmanager
def running_smtp_server(mailbox: Mailbox | None = None) -> Iterator[SmtpServer]:
    """A plain SMTP server on a free loopback port, keeping every mail in ``mailbox`` (a new
    one by default)."""
    mailbox, port = mailbox or Mailbox(), free_port()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield SmtpServer(mailbox, port)
    finally:
        controller.stop()


def authenticator(server, session, envelope, mechanism, auth_data) -> AuthResult:
    valid = isinstance(auth_data, LoginPassword) and auth_data == (
        SMTP_USER.encode(),
        SMTP_PASSWORD.encode(),
    )
    return AuthResult(success=valid, handled=False)  # handled=False: aiosmtpd answers 535
