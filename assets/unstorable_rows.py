"""Why a landed row cannot be stored, and how it is shown when kept as a reject.

PostgreSQL text holds neither U+0000 nor bytes that are not UTF-8. A row holding either is a
reject of its own, never a reason to refuse the file; its ``_raw`` shows a NUL as ␀ and a bad
byte as U+FFFD so the reject itself can always be stored.
"""

from __future__ import annotations

from collections.abc import Iterable

NUL_SHOWN_AS = "\u2400"


def nul_problem(columns: list[str], values: Iterable[str | None]) -> str | None:
    """Why the row cannot be stored when a value holds U+0000, else None."""
    for column, value in zip(columns, values, strict=True):
        if value and "\x00" in value:
            return f"{column} holds a NUL character (\\u0000), which PostgreSQL text cannot store"
    return None


def printable(text: str) -> str:
    """``text`` as PostgreSQL can store it in ``_raw``: NUL as ␀, bytes that are not UTF-8
    (kept by the ``surrogateescape`` decoding) as U+FFFD."""
    readable = text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    return readable.replace("\x00", NUL_SHOWN_AS)


def csv_row_problem(fields: list[str], width: int) -> str | None:
    """Why a CSV record cannot be loaded: its width, a NUL, a byte that is not UTF-8."""
    if len(fields) != width:
        return f"expected {width} fields, found {len(fields)}"
    row = "".join(fields)
    if "\x00" in row:
        return "the row holds a NUL byte, which PostgreSQL text cannot store"
    try:
        row.encode("utf-8")
    except UnicodeEncodeError as error:
        byte = ord(row[error.start]) - 0xDC00
        return f"the row is not UTF-8: byte 0x{byte:02X} (latin-1 or another encoding?)"
    return None


def unstorable_line(line: bytes) -> str | None:
    """Why a landed line cannot be stored as text (a NUL, a byte that is not UTF-8), else None.
    Whether it is JSON is for the server to say."""
    if b"\x00" in line:
        return "the line holds a NUL byte, which PostgreSQL text cannot store"
    try:
        line.decode("utf-8")
    except UnicodeDecodeError as bad:
        byte = line[bad.start]
        return f"the line is not UTF-8: byte 0x{byte:02X} (latin-1 or another encoding?)"
    return None


def printable_line(line: bytes) -> str:
    """A landed line as bytes, as ``_raw`` can keep it."""
    return printable(line.decode("utf-8", errors="surrogateescape"))
