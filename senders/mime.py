"""Writing an RFC 5322 / MIME message as 7-bit bytes, directly.

``email.message.EmailMessage`` costs about 1.4 ms a message here (header objects parsed and
refolded one by one), more than an SMTP round trip on loopback; the dispatcher must keep up
with a bare ``smtplib`` loop, so messages are written here directly: RFC 2047 ``B`` words for
non-ASCII header text, ``binascii.b2a_qp`` for bodies, about 20 times faster. It also keeps
long URL-only headers such as ``List-Unsubscribe`` whole, which ``EmailMessage`` would turn
into encoded words no mail client reads. The result is pure ASCII with CRLF line ends, so it
needs neither 8BITMIME nor SMTPUTF8; the tests parse every message back with ``email``.

Every header value passes through ``one_line`` first: CR, LF and other controls in a subject
or a name become a space, so they can never start a header of their own. And every header
line stays within RFC 5322's 998 characters whatever the value (a server refuses the whole
mail otherwise), within 78 wherever the header's grammar allows a break.
"""

from __future__ import annotations

import base64
import binascii
from email.utils import formataddr

from models.message_text import one_line

CRLF = "\r\n"
_MAX_LINE = 78  # RFC 5322 §2.2.3: lines SHOULD be at most 78 characters …
_HARD_LINE = 998  # … and MUST be at most 998; servers refuse longer ones
_WORD_BYTES = 42  # a 68-character encoded word: one fits a line after "Subject: "
_ENCODED_WORD_OVERHEAD = len("=?utf-8?b??=")


def header(name: str, value: str) -> str:
    """``Name: value`` and CRLF, folded at spaces into lines of at most 78 characters.

    Text that cannot be folded so (a word longer than a line, say a 5,000-letter name or a long
    URL) goes as encoded words, like non-ASCII text: they break anywhere and decode back to the
    exact text, so no line ever nears 998 characters whatever the value holds."""
    text = one_line(value)
    prefix = f"{name}: "
    if _needs_encoding(text):
        return f"{prefix}{encoded_words(text, _MAX_LINE - len(prefix))}{CRLF}"
    if len(prefix) + len(text) <= _MAX_LINE:  # most headers: nothing to fold
        return f"{prefix}{text}{CRLF}"
    words = text.split(" ")
    if not _foldable(words, len(prefix)):
        return f"{prefix}{encoded_words(text, _MAX_LINE - len(prefix))}{CRLF}"
    return f"{prefix}{_fold(words, len(prefix))}{CRLF}"


def address_header(name: str, display_name: str, address: str) -> str:
    """``From``/``To``: a display name (quoted, or encoded when it is not ASCII or too long for
    one line) and an address, which RFC 5321 keeps under 255 characters."""
    display, address = one_line(display_name), one_line(address)
    if not display:
        return f"{name}: {address}{CRLF}"
    if not _needs_encoding(display):
        line = f"{name}: {formataddr((display, address))}"
        if len(line) <= _MAX_LINE:
            return line + CRLF
    prefix = f"{name}: "
    return f"{prefix}{encoded_words(display, _MAX_LINE - len(prefix))}{CRLF} <{address}>{CRLF}"


def encoded_words(text: str, first_line_room: int = _MAX_LINE) -> str:
    """RFC 2047 ``B`` words, one a line: a decoder drops the folding between two words, so the
    text comes back exactly. A word holds at most 42 bytes (68 characters, within RFC 2047's
    75 and a line); the first is shortened to fit the room left after the header's name. A
    character is never split across two words."""
    words, chunk = [], b""
    limit = _first_word_bytes(first_line_room)
    for character in text:
        encoded = character.encode("utf-8")
        if chunk and len(chunk) + len(encoded) > limit:
            words.append(chunk)
            chunk, limit = b"", _WORD_BYTES
        chunk += encoded
    words.append(chunk)
    return f"{CRLF} ".join(f"=?utf-8?b?{base64.b64encode(word).decode()}?=" for word in words)


def _first_word_bytes(room: int) -> int:
    """Bytes whose encoded word fits ``room`` characters; never fewer than one character needs
    (a long header name leaves a first line over 78, still far under 998)."""
    return min(max((room - _ENCODED_WORD_OVERHEAD) // 4 * 3, 4), _WORD_BYTES)


def _needs_encoding(text: str) -> bool:
    # "=?" in plain text would read as the start of an encoded word
    return not text.isascii() or "=?" in text


def _foldable(words: list[str], used: int) -> bool:
    """Whether folding at spaces gives lines of at most 78: the first word after the name,
    every other one after the folding space."""
    return used + len(words[0]) <= _MAX_LINE and all(len(w) < _MAX_LINE for w in words[1:])


def _fold(words: list[str], used: int) -> str:
    """Break at spaces so lines stay within 78 characters."""
    lines, line = [], ""
    for word in words:
        if line and used + len(line) + 1 + len(word) > _MAX_LINE:
            lines.append(line)
            line, used = word, 1
        else:
            line = f"{line} {word}" if line else word
    lines.append(line)
    return f"{CRLF} ".join(lines)


def language_header(name: str, tag: str) -> str:
    """``Content-Language``: a language tag can be neither folded nor encoded, so one too long
    for a line loses subtags from its end (RFC 4647 §3.4): ``de-CH-1901-x-…`` still says
    German, and is never a broken tag."""
    room = _HARD_LINE - len(f"{name}: ")
    subtags = one_line(tag).split("-")
    while len(subtags) > 1 and len("-".join(subtags)) > room:
        subtags.pop()
        if len(subtags) > 1 and len(subtags[-1]) == 1:  # a singleton never ends a tag
            subtags.pop()
    return f"{name}: {'-'.join(subtags)[:room]}{CRLF}"


def list_header(name: str, items: list[str]) -> str:
    """A comma-separated list of ``<URI>``, one item a line (RFC 2369). A URI is kept whole,
    since readers take it verbatim, unless no line of 998 characters can hold it: then it is
    broken inside its brackets, where RFC 3986 appendix C tells readers to drop white space."""
    prefix = f"{name}: "
    room = _HARD_LINE - len(prefix) - len("<>,")
    entries = (
        _bracketed(one_line(item), room, len(prefix) if i == 0 else 1)
        for i, item in enumerate(items)
    )
    return prefix + f",{CRLF} ".join(entries) + CRLF


def _bracketed(uri: str, room: int, used: int) -> str:
    """``<uri>``, broken into lines of at most 78 when longer than ``room``; ``used`` is how
    much of its first line is taken already."""
    if len(uri) <= room:
        return f"<{uri}>"
    pieces, width = [], _MAX_LINE - used - len("<")
    while len(uri) > width:
        # RFC 3986 appendix C: no break after a hyphen, which a reader may take for hyphenation
        cut = next((end for end in range(width, 0, -1) if uri[end - 1] != "-"), width)
        pieces.append(uri[:cut])
        uri, width = uri[cut:], _MAX_LINE - len(" >,")
    pieces.append(uri)
    return "<" + f"{CRLF} ".join(pieces) + ">"


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
