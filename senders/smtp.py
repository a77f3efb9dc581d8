"""Email over real SMTP to ``TOUCHPOINT_SMTP_URL``, one connection reused across a batch.

``smtp://user:pass@host:port`` (plain), ``…?starttls=1`` (upgraded before AUTH), and
``smtps://…`` (implicit TLS, port 465 by default); AUTH only when the URL has a user.

One message is one SMTP transaction: ``MAIL FROM``, one ``RCPT TO``, ``DATA``, the content and
the final dot. What a failure means depends on when it happens:

- a refusal (a reply code) before the content: ``4xx`` retryable, ``5xx`` permanent, with the
  server's words (that is per recipient, since a transaction carries one);
- the connection lost before the final dot went out (the server closed an idle connection, or
  dropped it mid-transaction): the server cannot have taken the message, so the sender
  reconnects and tries once more, within the same ``send``;
- the final reply after the dot: ``2xx`` accepted, ``4xx`` retryable, ``5xx`` permanent; a lost
  connection or a timeout while waiting for it is in doubt, since the server may have queued
  the message before the answer was lost (RFC 1047). It is never resent.

``smtplib.SMTP.sendmail`` cannot tell those last two cases apart, so the transaction is driven
step by step here.
"""

from __future__ import annotations

import re
import smtplib
import socket
import ssl
from dataclasses import dataclass, field
from urllib.parse import parse_qs, unquote, urlsplit

from models.messages import Accepted, OutboundMessage, SendFailure, SendResult
from senders.email_composition import ComposedEmail, CompositionError, EmailComposer
from senders.protocol import Sender, require_channel

_TRUE, _FALSE = {"1", "true", "yes", "on"}, {"0", "false", "no", "off", ""}
_LINE_START_DOT = re.compile(rb"^\.", re.MULTILINE)


@dataclass(frozen=True)
class SmtpEndpoint:
    host: str
    port: int
    implicit_tls: bool = False
    starttls: bool = False
    username: str | None = None
    password: str | None = field(default=None, repr=False)

    @property
    def display(self) -> str:
        """The server, without credentials: safe for messages and logs."""
        return f"{'smtps' if self.implicit_tls else 'smtp'}://{self.host}:{self.port}"


def parse_smtp_url(url: str) -> SmtpEndpoint:
    """``smtp[s]://[user[:password]@]host[:port][?starttls=1]``; user and password
    percent-decoded. Errors never repeat the password."""
    parts = urlsplit(url)
    shown = f"{parts.scheme}://{parts.hostname or ''}"
    if parts.scheme not in ("smtp", "smtps"):
        raise ValueError(f"TOUCHPOINT_SMTP_URL must start with smtp:// or smtps://, got {shown}")
    if not parts.hostname:
        raise ValueError(f"TOUCHPOINT_SMTP_URL needs a host, as in smtp://host:25, got {shown}")
    query = parse_qs(parts.query, keep_blank_values=True)
    unknown = sorted(set(query) - {"starttls"})
    if unknown:
        raise ValueError(f"TOUCHPOINT_SMTP_URL: unknown option {unknown[0]!r} (known: starttls)")
    starttls = _flag(query.get("starttls", ["0"])[-1])
    if starttls and parts.scheme == "smtps":
        raise ValueError("TOUCHPOINT_SMTP_URL: smtps:// is TLS already; drop ?starttls=1")
    try:
        port = parts.port or (465 if parts.scheme == "smtps" else 25)
    except ValueError:
        raise ValueError(f"TOUCHPOINT_SMTP_URL: the port of {shown} is not a number") from None
    return SmtpEndpoint(
        host=parts.hostname,
        port=port,
        implicit_tls=parts.scheme == "smtps",
        starttls=starttls,
        username=unquote(parts.username) if parts.username else None,
        password=unquote(parts.password) if parts.password is not None else None,
    )


def _flag(value: str) -> bool:
    if value.lower() in _TRUE | _FALSE:
        return value.lower() in _TRUE
    raise ValueError(f"TOUCHPOINT_SMTP_URL: starttls must be 1 or 0, got {value!r}")


class _Unsent(Exception):
    """The connection failed before the final dot: the server cannot have the message."""


class _Unanswered(Exception):
    """The connection failed after the final dot: the server may have the message."""


class SmtpSender(Sender):
    def __init__(
        self,
        url: str,
        composer: EmailComposer,
        *,
        timeout: float = 30,
        ssl_context: ssl.SSLContext | None = None,
        local_hostname: str | None = None,
    ) -> None:
        self.endpoint = parse_smtp_url(url)
        self.composer = composer
        self.timeout = timeout
        self.ssl_context = ssl_context or ssl.create_default_context()
        self.local_hostname = local_hostname or socket.getfqdn()
        self._smtp: smtplib.SMTP | None = None

    def send(self, message: OutboundMessage) -> SendResult:
        require_channel(message, "email", "SmtpSender")
        try:
            mail = self.composer.compose(message)
        except CompositionError as error:
            return SendFailure.permanent(str(error))
        lost = ""
        for _ in range(2):
            try:
                smtp = self._connection()
            except (OSError, smtplib.SMTPException) as error:
                self._discard()
                return SendFailure.transient(f"{self.endpoint.display}: cannot connect: {error}")
            try:
                return self._transaction(smtp, mail)
            except _Unsent as error:
                self._discard()
                lost = str(error)
            except _Unanswered as error:
                self._discard()
                return SendFailure.unknown_outcome(str(error))
        return SendFailure.transient(f"{self.endpoint.display}: connection lost twice: {lost}")

    def close(self) -> None:
        """QUIT politely; a server that is already gone has nothing left to be told."""
        if self._smtp is None:
            return
        try:
            self._smtp.quit()
        except (OSError, smtplib.SMTPException):
            self._discard()
        self._smtp = None

    def _connection(self) -> smtplib.SMTP:
        if self._smtp is None:
            self._smtp = self._open()
        return self._smtp

    def _open(self) -> smtplib.SMTP:
        endpoint = self.endpoint
        if endpoint.implicit_tls:
            smtp: smtplib.SMTP = smtplib.SMTP_SSL(
                endpoint.host,
                endpoint.port,
                local_hostname=self.local_hostname,
                timeout=self.timeout,
                context=self.ssl_context,
            )
        else:
            smtp = smtplib.SMTP(
                endpoint.host,
                endpoint.port,
                local_hostname=self.local_hostname,
                timeout=self.timeout,
            )
        try:
            smtp.ehlo_or_helo_if_needed()
            if endpoint.starttls:
                smtp.starttls(context=self.ssl_context)
                smtp.ehlo_or_helo_if_needed()
            if endpoint.username:
                smtp.login(endpoint.username, endpoint.password or "")
        except BaseException:
            smtp.close()
            raise
        return smtp

    def _discard(self) -> None:
        if self._smtp is not None:
            self._smtp.close()
            self._smtp = None

    def _transaction(self, smtp: smtplib.SMTP, mail: ComposedEmail) -> SendResult:
        steps = (
            ("MAIL FROM", lambda: smtp.mail(mail.mail_from), (250,)),
            ("RCPT TO", lambda: smtp.rcpt(mail.recipient), (250, 251)),
            ("DATA", lambda: smtp.docmd("DATA"), (354,)),
        )
        try:
            for step, command, expected in steps:
                code, reply = command()
                if code not in expected:
                    self._abandon(smtp, code)
                    return _refused(f"{step} <{mail.recipient}>", code, reply)
            smtp.send(_LINE_START_DOT.sub(b"..", mail.data) + b".\r\n")
        except (OSError, smtplib.SMTPException) as error:
            raise _Unsent(f"{self.endpoint.display}: {error}") from error
        try:
            code, reply = smtp.getreply()
        except (OSError, smtplib.SMTPException) as error:
            raise _Unanswered(
                f"{self.endpoint.display}: no answer after the message was sent ({error}); "
                "the server may have accepted it"
            ) from error
        if 200 <= code < 300:
            return Accepted(mail.message_id, {"reply": f"{code} {_text(reply)}"})
        if code == 421:
            self._discard()  # the server is closing the connection
        return _refused(f"message to <{mail.recipient}>", code, reply)

    def _abandon(self, smtp: smtplib.SMTP, code: int) -> None:
        """End a refused transaction so the connection can carry the next message; a server
        that said 421 is closing, and a connection that cannot even RSET is dropped."""
        if code == 421:
            self._discard()
            return
        try:
            smtp.rset()
        except (OSError, smtplib.SMTPException):
            self._discard()


def _refused(step: str, code: int, reply: bytes) -> SendFailure:
    reason = f"{step}: {code} {_text(reply)}"
    if 500 <= code < 600:
        return SendFailure.permanent(reason)
    return SendFailure.transient(reason)


def _text(reply: bytes) -> str:
    return reply.decode("utf-8", "replace").replace("\n", " ")
