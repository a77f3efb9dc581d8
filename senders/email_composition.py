"""From an outbox row to the bytes of a good-citizen marketing mail (docs/architecture.md,
Sending invariants).

Every mail has ``From``, ``To``, ``Subject``, ``Date``, ``Message-ID`` (``<message_id@domain of
From>``), ``Content-Language``, ``List-Unsubscribe``, ``X-Touchpoint-Campaign`` and
``X-Touchpoint-Message-Id``, and a text and an HTML part (the HTML made from the text when a
template has none). With a tracking service, links in the HTML are signed click links, an open
pixel is added, survey answer links are signed into both parts, and ``List-Unsubscribe``
offers the one-click https link before the mailto, with ``List-Unsubscribe-Post:
List-Unsubscribe=One-Click``. Without one, ``List-Unsubscribe`` is the mailto alone and there is
no ``List-Unsubscribe-Post``: RFC 8058 ties that header to an https URI; and a survey mail cannot
be composed, since nobody would hear its answers. Extra headers of the outbox row go in too,
except those this module owns.

A mail is composed in two steps, so the costly one can happen when the message is rendered,
off the send path (docs/architecture.md, Good-citizen email and SMS): ``compose_ahead`` writes
every byte that does not depend on the send (headers, MIME parts, signed links; the
``Message-ID`` is the outbox id's, the same at every attempt), and ``compose`` adds the one
header that does, ``Date``, the moment the mail goes out (RFC 5322 §3.6.1: when it was ready to
enter the mail system; a message deferred overnight or retried an hour later says so). Mails
composed ahead carry the ``composition`` of their composer: a row composed under another sender
address, tracking service, secret or form of mail is composed again at send, as are rows
rendered without one.
"""

from __future__ import annotations

import hashlib
import hmac
import html
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime, unquote

from models.message_text import one_line
from models.messages import OutboundMessage
from models.tracking import TrackingLinks
from senders import mime
from senders.link_tracking import track_links
from senders.survey_links import asks_for_answers, with_answer_links

_DOMAIN_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_ADDRESS = re.compile(
    rf"^[A-Za-z0-9.!#$%&'*+/=?^_`{{|}}~-]+@{_DOMAIN_LABEL}(?:\.{_DOMAIN_LABEL})*$"
)
_SENDER = re.compile(r"^(?:(?P<name>[^<>]*?)\s*<(?P<address>[^<>\s]+)>|(?P<bare>[^<>\s]+))$")
_LANGUAGE_TAG = re.compile(r"^[A-Za-z]{2,8}(?:-[A-Za-z0-9]{1,8})*$")
# Printable ASCII but the colon (RFC 5322 §2.2); at most 76, so "Name: " leaves room on its line
_HEADER_NAME = re.compile(r"^[!-9;-~]{1,76}$")
_OWNED_HEADERS = frozenset(
    name.lower()
    for name in (
        "From", "To", "Cc", "Bcc", "Subject", "Date", "Message-ID", "Content-Language",
        "List-Unsubscribe", "List-Unsubscribe-Post", "X-Touchpoint-Campaign",
        "X-Touchpoint-Message-Id", "MIME-Version", "Content-Type", "Content-Transfer-Encoding",
        "Sender", "Return-Path", "Received",
    )
)  # fmt: skip


# Changed whenever a mail composed ahead would differ from one composed now by this code, so
# mails stored by an older version are composed again at send.
_FORM = "1"
_DATE_BEFORE = b"\r\nMessage-ID: "  # Date goes in just before Message-ID, as it always has


class CompositionError(ValueError):
    """The outbox row cannot make a valid mail (no subject, a malformed address, …)."""


@dataclass(frozen=True)
class ComposedEmail:
    message_id: str  # the Message-ID header, angle brackets included
    mail_from: str  # the envelope sender
    recipient: str
    data: bytes


def is_sendable_address(address: str) -> bool:
    """A plain ASCII ``local@domain`` within RFC 5321's lengths (a local part of at most 64
    characters, a path of at most 256 with its brackets): what SMTP carries without SMTPUTF8."""
    local = address.partition("@")[0]
    return len(address) <= 254 and len(local) <= 64 and bool(_ADDRESS.match(address))


class EmailComposer:
    """Composes mails from one sender address (``TOUCHPOINT_FROM_EMAIL``, ``Name <addr>`` or
    ``addr``), with tracking links when ``tracking`` is given."""

    def __init__(
        self,
        from_address: str,
        tracking: TrackingLinks | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.from_name, self.from_email = _parse_sender(from_address)
        self.domain = self.from_email.rsplit("@", 1)[1]
        self._from_header = mime.address_header("From", self.from_name, self.from_email)
        self.tracking = tracking
        self._clock = clock
        self._date_at: datetime | None = None
        self._date = b""
        self.composition = _composition(from_address, tracking)

    def compose(self, message: OutboundMessage) -> ComposedEmail:
        """The mail's bytes, from those composed ahead when this composer made them; raises
        ``CompositionError`` for a row no mail can be made of."""
        ahead = message.composed_mail if message.composed_by == self.composition else None
        if ahead is None:
            ahead = self.compose_ahead(message)
        at = ahead.index(_DATE_BEFORE) + 2
        data = b"".join((ahead[:at], self._date_line(), ahead[at:]))
        message_id = f"<{message.message_id}@{self.domain}>"
        return ComposedEmail(message_id, self.from_email, message.recipient, data)

    def compose_ahead(self, message: OutboundMessage) -> bytes:
        """Every byte of the mail but its ``Date``: what rendering stores with the message."""
        _check(message)
        if self.tracking is None and asks_for_answers(message.body_text, message.body_html):
            raise CompositionError(
                f"message {message.message_id}: its survey answer links need the tracking "
                "service to answer them (TOUCHPOINT_TRACKING_URL is not set)"
            )
        head = self._headers(message, f"<{message.message_id}@{self.domain}>")
        body = mime.alternative(
            f"=_tp_{message.message_id.hex}",
            [mime.text_part("plain", self._text(message)), self._html_part(message)],
        )
        return (head + body).encode("ascii")

    def _date_line(self) -> bytes:
        """``Date: …`` for now, formatted once a second (it has no finer resolution)."""
        now = self._clock().replace(microsecond=0)
        if now != self._date_at:
            self._date_at = now
            self._date = mime.header("Date", format_datetime(now)).encode("ascii")
        return self._date

    def _headers(self, message: OutboundMessage, message_id: str) -> str:
        lines = [
            self._from_header,
            mime.address_header("To", "", message.recipient),
            mime.header("Subject", message.subject or ""),
            mime.header("Message-ID", message_id),
            mime.language_header("Content-Language", message.locale),
            mime.list_header("List-Unsubscribe", self._unsubscribe_links(message)),
        ]
        if self.tracking:
            lines.append(mime.header("List-Unsubscribe-Post", "List-Unsubscribe=One-Click"))
        lines.append(mime.header("X-Touchpoint-Campaign", message.campaign))
        lines.append(mime.header("X-Touchpoint-Message-Id", str(message.message_id)))
        lines.extend(
            mime.header(name, value)
            for name, value in message.headers.items()
            if name.lower() not in _OWNED_HEADERS
        )
        return "".join(lines)

    def _unsubscribe_links(self, message: OutboundMessage) -> list[str]:
        mailto = f"mailto:unsubscribe@{self.domain}?subject=unsubscribe-{message.message_id}"
        if self.tracking is None:
            return [mailto]
        return [self.tracking.unsubscribe(message.message_id), mailto]

    def _text(self, message: OutboundMessage) -> str:
        text = message.body_text or ""
        if self.tracking is None:
            return text
        return with_answer_links(text, message.message_id, self.tracking, in_html=False)

    def _html_part(self, message: OutboundMessage) -> str:
        body_html = message.body_html or _html_from_text(message.body_text or "", message.locale)
        if self.tracking is not None:
            body_html = track_links(body_html, message.message_id, self.tracking)
            body_html = with_answer_links(
                body_html, message.message_id, self.tracking, in_html=True
            )
        return mime.text_part("html", body_html)


def _composition(from_address: str, tracking: TrackingLinks | None) -> str:
    """What a mail composed ahead depends on besides its row, as a short digest: the form of
    mail, the sender, the tracking service and its secret (through an HMAC, so the digest
    stored with every row says nothing about the secret)."""
    parts = [_FORM, from_address]
    if tracking is not None:
        secret = tracking.secret.encode() if isinstance(tracking.secret, str) else tracking.secret
        key = hmac.new(secret, b"touchpoint/composition", hashlib.sha256).hexdigest()
        parts += [tracking.base_url, key]
    digest = hashlib.sha256("\n".join(parts).encode("utf-8")).hexdigest()[:32]
    return f"{_FORM}:{digest}"


def _parse_sender(text: str) -> tuple[str, str]:
    """``Name <addr>``, ``"Name" <addr>`` or ``addr``, strictly: ``parseaddr`` would make an
    address out of almost anything."""
    match = _SENDER.match(one_line(text))
    address = (match["address"] or match["bare"]) if match else ""
    if not match or not is_sendable_address(address):
        raise ValueError(
            "the sender address (TOUCHPOINT_FROM_EMAIL) must be 'Name <local@domain>' or "
            f"'local@domain', got {text!r}"
        )
    return unquote(match["name"] or ""), address


def _check(message: OutboundMessage) -> None:
    if message.channel != "email":
        raise ValueError(f"message {message.message_id} is {message.channel}, not email")
    problems = []
    if not is_sendable_address(message.recipient):
        problems.append(f"recipient {message.recipient!r} is not a plain local@domain address")
    if not (message.subject or "").strip():
        problems.append("no subject")
    if not (message.body_text or "").strip():
        problems.append("no text body")
    if not _LANGUAGE_TAG.match(message.locale):
        problems.append(f"locale {message.locale!r} is not a language tag")
    problems.extend(
        f"header name {name!r} is not at most 76 printable ASCII characters without a colon"
        for name in message.headers
        if not _HEADER_NAME.match(name)
    )
    if problems:
        raise CompositionError(f"message {message.message_id}: " + "; ".join(problems))


def _html_from_text(text: str, locale: str) -> str:
    paragraphs = (p for p in re.split(r"\n\s*\n", text.strip()) if p.strip())
    body = "".join(
        "<p>" + "<br>\n".join(html.escape(line) for line in p.splitlines()) + "</p>\n"
        for p in paragraphs
    )
    return f'<!DOCTYPE html>\n<html lang="{html.escape(locale)}">\n<body>\n{body}</body>\n</html>\n'
