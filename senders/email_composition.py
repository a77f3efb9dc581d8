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
"""

from __future__ import annotations

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

    def compose(self, message: OutboundMessage) -> ComposedEmail:
        """The mail's bytes; raises ``CompositionError`` for a row no mail can be made of."""
        _check(message)
        if self.tracking is None and asks_for_answers(message.body_text, message.body_html):
            raise CompositionError(
                f"message {message.message_id}: its survey answer links need the tracking "
                "service to answer them (TOUCHPOINT_TRACKING_URL is not set)"
            )
        message_id = f"<{message.message_id}@{self.domain}>"
        head = self._headers(message, message_id)
        body = mime.alternative(
            f"=_tp_{message.message_id.hex}",
            [mime.text_part("plain", self._text(message)), self._html_part(message)],
        )
        data = (head + body).encode("ascii")
        return ComposedEmail(message_id, self.from_email, message.recipient, data)

    def _headers(self, message: OutboundMessage, message_id: str) -> str:
        lines = [
            self._from_header,
            mime.address_header("To", "", message.recipient),
            mime.header("Subject", message.subject or ""),
            mime.header("Date", format_datetime(self._clock())),
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
