"""Writing an RFC 5322 / MIME message as 7-bit bytes, directly.

``email.message.EmailMessage`` costs about 1.4 ms a message here (header objects parsed and
refolded one by one), more than an SMTP round trip on loopback; the dispatcher must keep up
with a bare ``smtplib`` loop, so messages are written here directly: RFC 2047 ``B`` words for
non-ASCII header text, ``binascii.b2a_qp`` for bodies, about 20 times faster. It also keeps
long URL-only headers such as ``List-Unsubscribe`` whole, which ``EmailMessage`` would turn
into encoded words no mail client reads. The result is pure ASCII with CRLF line ends, so it
needs neither 8BITMIME nor SMTPUTF8; the tests parse every message back with ``email``.

Every header value passes through ``one_line`` first: CR, LF and other controls in a subject
or a name become a space, so they can never start a header of their own.
"""

from __future__ import annotations

import base64
import binascii
from email.utils import formataddr

from models.message_text import one_line

CRLF = "\r\n"
_MAX_LINE = 78  # RFC 5322's recommended limit; longer lines are folded where there is a space
_WORD_BYTES = 42


def header(name: str, value: str) -> str:
    """``Name: value`` and CRLF, folded at spaces; non-ASCII as encoded words."""
    text = one_line(value)
    if _needs_encoding(text):
        return f"{name}: {encoded_words(text)}{CRLF}"
    return f"{name}: {_fold(text, len(name) + 2)}{CRLF}"


def address_header(name: str, display_name: str, address: str) -> str:
    """``From``/``To``: a display name (quoted or encoded as needed) and an address."""
    display, address = one_line(display_name), one_line(address)
    if _needs_encoding(display):
        return f"{name}: {encoded_words(display)}{CRLF} <{address}>{CRLF}"
    return f"{name}: {formataddr((display, address))}{CRLF}"


def encoded_words(text: str) -> str:
    """RFC 2047 ``B`` words, one a line: a decoder drops the folding between two words, so the
    text comes back exactly. 42 bytes make a 68-character word, which fits a line after
    ``Subject: ``; a character is never split across two words."""
    words, chunk = [], b""
    for character in text:
        encoded = character.encode("utf-8")
        if len(chunk) + len(encoded) > _WORD_BYTES:
            words.append(chunk)
            chunk = b""
        chunk += encoded
    words.append(chunk)
    return f"{CRLF} ".join(f"=?utf-8?b?{base64.b64encode(word).decode()}?=" for word in words)


def _needs_encoding(text: str) -> bool:
    # "=?" in plain text would read as the start of an encoded word
    return not text.isascii() or "=?" in text


def _fold(text: str, used: int) -> str:
    """Break at spaces so lines stay under 78 characters where the words allow."""
    lines, line = [], ""
    for word in text.split(" "):
        if line and used + len(line) + 1 + len(word) > _MAX_LINE:
            lines.append(line)
            line, used = word, 1
        else:
            line = f"{line} {word}" if line else word
    lines.append(line)
    return f"{CRLF} ".join(lines)


def list_header(name: str, items: list[str]) -> str:
    """A comma-separated list of ``<URI>`` kept whole, one item a line (RFC 2369)."""
    return f"{name}: " + f",{CRLF} ".join(f"<{one_line(item)}>" for item in items) + CRLF


def text_part(subtype: str, text: str) -> str:
    """One ``text/*`` part in UTF-8, quoted-printable: readable, and 7-bit whatever the text."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n")
    body = binascii.b2a_qp(lines.encode("utf-8"), istext=True).decode("ascii")
    return (
        f'Content-Type: text/{subtype}; charset="utf-8"{CRLF}'
        f"Content-Transfer-Encoding: quoted-printable{CRLF}{CRLF}"
        f"{body.replace(chr(10), CRLF)}{CRLF}"
    )


def alternative(boundary: str, parts: list[str]) -> str:
    """The ``multipart/alternative`` headers and body, simplest part first (RFC 2046 §5.1.4).

    ``boundary`` must start with ``=_``: quoted-printable never writes ``=`` followed by ``_``,
    so such a boundary can never occur inside a part."""
    if not boundary.startswith("=_"):
        raise ValueError("the boundary must start with '=_' so no quoted-printable part holds it")
    body = "".join(f"--{boundary}{CRLF}{part}" for part in parts)
    return (
        f"MIME-Version: 1.0{CRLF}"
        f'Content-Type: multipart/alternative; boundary="{boundary}"{CRLF}{CRLF}'
        f"{body}--{boundary}--{CRLF}"
    )
