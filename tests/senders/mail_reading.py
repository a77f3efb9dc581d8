"""Reading a sent mail back the way a mail client would, and checking its tracking links."""

from __future__ import annotations

import re
from email import policy
from email.header import decode_header, make_header
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import getaddresses
from html import unescape
from itertools import takewhile
from urllib.parse import parse_qs, urlsplit

from models.tracking import verify_click, verify_open, verify_unsubscribe
from tests.senders.outbox_rows import SECRET, TRACKING_URL

_LINKS = re.compile(r"""\b(href|src)\s*=\s*(?:"([^"]*)"|'([^']*)')""", re.IGNORECASE)


def parse_mail(data: bytes) -> EmailMessage:
    mail = BytesParser(policy=policy.default).parsebytes(data)
    assert not mail.defects, mail.defects
    assert all(not part.defects for part in mail.walk())
    return mail


def header_lines(data: bytes, name: str) -> list[bytes]:
    """The physical lines of one header field as sent: its first line and its continuations."""
    lines = data.split(b"\r\n\r\n", 1)[0].split(b"\r\n")
    prefix = f"{name}:".lower().encode()
    start = next(i for i, line in enumerate(lines) if line.lower().startswith(prefix))
    return [lines[start], *takewhile(lambda line: line.startswith(b" "), lines[start + 1 :])]


def display_name(data: bytes, name: str) -> str:
    """The display name of an address header as a mail client shows it (RFC 2047 §6.2: the
    folding between two encoded words is dropped). Python 3.11's header parser keeps it as a
    space inside a display name (CPython gh-128110), so the raw header is decoded here."""
    raw = BytesParser(policy=policy.compat32).parsebytes(data, headersonly=True)[name]
    [(display, _)] = getaddresses([raw])
    return str(make_header(decode_header(display)))


def html_links(mail: EmailMessage) -> list[tuple[str, str]]:
    """(attribute, URL) of every href and src in the HTML part, HTML-unescaped."""
    html = mail.get_body(("html",)).get_content()
    return [(attr.lower(), unescape(dq or sq)) for attr, dq, sq in _LINKS.findall(html)]


def tracked_click(url: str) -> tuple[str, str] | None:
    """(message id, target) of a click link that verifies, else None."""
    parts = urlsplit(url)
    match = re.fullmatch(r"/c/([0-9a-f-]{36})", parts.path)
    query = parse_qs(parts.query)
    if not url.startswith(f"{TRACKING_URL}/c/") or not match:
        return None
    target, signature = query["url"][0], query["sig"][0]
    return (match[1], target) if verify_click(SECRET, match[1], target, signature) else None


def tracked_open(url: str) -> str | None:
    parts = urlsplit(url)
    match = re.fullmatch(r"/o/([0-9a-f-]{36})\.gif", parts.path)
    signature = parse_qs(parts.query).get("sig", [""])[0]
    if match and verify_open(SECRET, match[1], signature):
        return match[1]
    return None


def tracked_unsubscribe(url: str) -> str | None:
    parts = urlsplit(url)
    match = re.fullmatch(r"/u/([0-9a-f-]{36})", parts.path)
    signature = parse_qs(parts.query).get("sig", [""])[0]
    if match and verify_unsubscribe(SECRET, match[1], signature):
        return match[1]
    return None
