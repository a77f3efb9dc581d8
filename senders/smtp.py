"""Email over real SMTP to ``TOUCHPOINT_SMTP_URL``, one connection reused across a batch.

``smtp://user:pass@host:port`` (plain), ``…?starttls=1`` (upgraded before AUTH), and
``smtps://…`` (implicit TLS, port 465 by default); AUTH only when the URL has a user.

One message is one SMTP transaction: ``MAIL FROM``, one ``RCPT TO``, ``DATA``, the content and
the final dot. What a failure means depends on when it happens:

- a refusal (a reply code) before the content: ``4xx`` retryable, ``5xx`` permanent, with the
  server's words (that is per recipient, since a transaction carries one);
- the connection lost before the final dot went out (the server closed an idle connection, or
  dropped it mid-transaction): the server cannot have taken the message, so the sender
  reconnects and tries once more;
- the final reply after the dot: ``2xx`` accepted, ``4xx`` retryable, ``5xx`` permanent; a lost
  connection or a timeout while waiting for it is in doubt, since the server may have queued
  the message before the answer was lost (RFC 1047). It is never resent.

When the server offers PIPELINING (RFC 2920), a mail's three envelope commands go in one write,
and the next mail's envelope goes right behind the final dot of the one before: one round trip
a mail instead of four, which is most of what a mail costs on a fast network. The outcomes stay
those above, told apart by how far the writes got and which replies came back; without
PIPELINING each command waits for its reply.

``smtplib.SMTP.sendmail`` can neither pipeline nor tell the last two cases apart, so the
transaction is driven step by step here.
"""

from __future__ import annotations

import re
import smtplib
import socket
import ssl
from collections.abc import Iterator, Sequence
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


# The envelope's commands, and the replies that let the transaction go on.
_ENVELOPE = (("MAIL FROM", (250,)), ("RCPT TO", (250, 251)), ("DATA", (354,)))


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
        return self.send_many([message])[0]

    def send_many(self, messages: Sequence[OutboundMessage]) -> list[SendResult]:
        """Every message over the one connection, pipelined when the server allows."""
        for message in messages:
            require_channel(message, "email", "SmtpSender")
        composed = [self._compose(message) for message in messages]
        mails = [mail for mail in composed if isinstance(mail, ComposedEmail)]
        delivered = iter(self._deliver(mails))
        return [next(delivered) if isinstance(mail, ComposedEmail) else mail for mail in composed]

    def close(self) -> None:
        """QUIT politely; a server that is already gone has nothing left to be told."""
        if self._smtp is None:
            return
        try:
            self._smtp.quit()
        except (OSError, smtplib.SMTPException):
            self._discard()
        self._smtp = None

    def _compose(self, message: OutboundMessage) -> ComposedEmail | SendFailure:
        try:
            return self.composer.compose(message)
        except CompositionError as error:
            return SendFailure.permanent(str(error))

    def _deliver(self, mails: list[ComposedEmail]) -> list[SendResult]:
        """One result per mail, in order. A connection lost before a mail's final dot went out
        is reopened and the mail tried once more; one lost after it leaves the mail in doubt.
        When no connection can be opened, the mails left are all retryable."""
        results: list[SendResult] = []
        lost_before = False  # the connection was lost once already before the next mail went
        while len(results) < len(mails):
            try:
                smtp = self._connection()
            except (OSError, smtplib.SMTPException) as error:
                self._discard()
                cannot = SendFailure.transient(f"{self.endpoint.display}: cannot connect: {error}")
                return results + [cannot] * (len(mails) - len(results))
            try:
                for result in self._transactions(smtp, mails[len(results) :]):
                    results.append(result)
                    lost_before = False
            except _Unsent as error:
                self._discard()
                if lost_before:  # the same mail twice: give up on it for now
                    reason = f"{self.endpoint.display}: connection lost twice: {error}"
                    results.append(SendFailure.transient(reason))
                    lost_before = False
                else:
                    lost_before = True
            except _Unanswered as error:
                self._discard()
                results.append(SendFailure.unknown_outcome(str(error)))
                lost_before = False
        return results

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

    def _transactions(self, smtp: smtplib.SMTP, mails: list[ComposedEmail]) -> Iterator[SendResult]:
        """Each mail's result as its last reply comes in; stops early when the server closes
        the connection (421). Raises ``_Unsent`` or ``_Unanswered`` about the mail whose
        result is next."""
        pipelined = smtp.has_extn("pipelining")
        envelope_written = False
        for index, mail in enumerate(mails):
            refusal = self._envelope(smtp, mail, pipelined, envelope_written)
            envelope_written = False
            if refusal is not None:
                yield refusal
            else:
                following = mails[index + 1] if pipelined and index + 1 < len(mails) else None
                yield self._content(smtp, mail, following)
                envelope_written = following is not None
            if self._smtp is None:  # a 421: the server is closing the connection
                return

    def _envelope(
        self, smtp: smtplib.SMTP, mail: ComposedEmail, pipelined: bool, written: bool
    ) -> SendFailure | None:
        """MAIL FROM, RCPT TO and DATA (``written`` already behind the mail before); the
        refusal when the server refused one of them."""
        try:
            replies = self._envelope_replies(smtp, mail, pipelined, written)
        except (OSError, smtplib.SMTPException) as error:
            raise _Unsent(f"{self.endpoint.display}: {error}") from error
        for (step, expected), (code, reply) in zip(_ENVELOPE, replies, strict=False):
            if code not in expected:
                self._abandon(smtp, code, data_open=replies[-1][0] == 354)
                return _refused(f"{step} <{mail.recipient}>", code, reply)
        return None

    def _envelope_replies(
        self, smtp: smtplib.SMTP, mail: ComposedEmail, pipelined: bool, written: bool
    ) -> list[tuple[int, bytes]]:
        """The replies to the envelope's commands, in order. Pipelined, every reply is read,
        as the server answers every command (RFC 2920); otherwise the first refusal ends it.
        A 421 always ends it: the server is closing."""
        lines = _envelope_lines(mail)
        if pipelined and not written:
            smtp.send(b"".join(lines))
        replies: list[tuple[int, bytes]] = []
        for line, (_, expected) in zip(lines, _ENVELOPE, strict=True):
            if not pipelined:
                smtp.send(line)
            replies.append(smtp.getreply())
            code = replies[-1][0]
            if code == 421 or (code not in expected and not pipelined):
                break
        return replies

    def _content(
        self, smtp: smtplib.SMTP, mail: ComposedEmail, following: ComposedEmail | None
    ) -> SendResult:
        """The content and its final dot, with the ``following`` mail's envelope right behind
        when pipelined; then the server's verdict on the mail."""
        content = _dot_stuffed(mail.data) + b".\r\n"
        after = b"".join(_envelope_lines(following)) if following is not None else b""
        data, written = memoryview(content + after), 0
        try:
            while written < len(data):
                written += smtp.sock.send(data[written:])
        except OSError as error:
            if written < len(content):
                raise _Unsent(f"{self.endpoint.display}: {error}") from error
            raise _Unanswered(_unanswered(self.endpoint, error)) from error
        try:
            code, reply = smtp.getreply()
        except (OSError, smtplib.SMTPException) as error:
            raise _Unanswered(_unanswered(self.endpoint, error)) from error
        if 200 <= code < 300:
            return Accepted(mail.message_id, {"reply": f"{code} {_text(reply)}"})
        if code == 421:
            self._discard()  # the server is closing the connection
        return _refused(f"message to <{mail.recipient}>", code, reply)

    def _abandon(self, smtp: smtplib.SMTP, code: int, *, data_open: bool) -> None:
        """End a refused transaction so the connection can carry the next message; a server
        that said 421 is closing, and a connection that cannot even RSET is dropped. A
        pipelining server that took DATA after refusing the envelope waits for a message:
        it gets an empty one, which it refuses for want of a recipient (RFC 2920 §3.1)."""
        if code == 421:
            self._discard()
            return
        try:
            if data_open:
                smtp.send(b".\r\n")
                smtp.getreply()
            smtp.rset()
        except (OSError, smtplib.SMTPException):
            self._discard()


def _envelope_lines(mail: ComposedEmail) -> list[bytes]:
    """The addresses are plain ASCII (the composer checked them)."""
    return [
        f"MAIL FROM:<{mail.mail_from}>\r\n".encode("ascii"),
        f"RCPT TO:<{mail.recipient}>\r\n".encode("ascii"),
        b"DATA\r\n",
    ]


def _dot_stuffed(data: bytes) -> bytes:
    """A line starting with a dot gets one more (RFC 5321 §4.5.2); most mails have none."""
    if data.startswith(b".") or b"\n." in data:
        return _LINE_START_DOT.sub(b"..", data)
    return data


def _unanswered(endpoint: SmtpEndpoint, error: BaseException) -> str:
    return (
        f"{endpoint.display}: no answer after the message was sent ({error}); "
        "the server may have accepted it"
    )


def _refused(step: str, code: int, reply: bytes) -> SendFailure:
    reason = f"{step}: {code} {_text(reply)}"
    if 500 <= code < 600:
        return SendFailure.permanent(reason)
    return SendFailure.transient(reason)


def _text(reply: bytes) -> str:
    return reply.decode("utf-8", "replace").replace("\n", " ")
