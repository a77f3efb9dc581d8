"""Stage one landed file into the server as batch tables, as fast as a plain ``COPY``.

CSV files are copied as they are; only when that hits a problem in a row (the wrong number of
fields, a NUL byte, bytes that are not UTF-8) does the file take the slow path, in which Python
finds the broken rows, keeps them as rejects with their reason, and copies the rest. JSON lines
are sent as they are too, a chunk at a time, and the server splits them into lines and parses
them (``_json_rows``): Python never parses JSON, and looks into a chunk only when it holds a NUL
byte or bytes that are not UTF-8. Either way a bad row costs that row alone: only a file whose
header cannot be read is refused as a whole.

A staged batch is a table of the contract's rows: the columns trimmed, empty as NULL, plus
``_row_number`` and ``_raw``; for JSON lines also ``_json_type``, which the JSON line rules
judge. The statement that stores it judges each row by every rule (``assets.row_judging``);
the split into raw and rejects reads it (``assets.raw_loader``).

The staging is a series of jobs (``staging_jobs``), one a batch, each run on a connection it is
given: the chunks of a file of JSON lines are numbered before they are staged, so several
connections can stage them at once (``assets.staging_ahead``).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import partial
from typing import BinaryIO

import psycopg
from psycopg import errors, sql

from assets.row_judging import judge_into
from assets.unstorable_rows import (
    csv_row_problem,
    nul_problem,
    printable,
    printable_line,
    unstorable_line,
)
from models.landing import FileFormat, LandingSource

COPY_BLOCK = 1 << 20
# JSON lines are staged and split a chunk at a time: memory stays bounded, a chunk that needs
# the slow path or a second look costs that chunk alone, and the split of a chunk overlaps the
# staging of the next (small chunks keep short the start and end, when only one side works).
JSON_CHUNK_BYTES = 8 << 20
# The lines of a chunk of JSON lines, the statement's parameter $1. string_to_table (PostgreSQL 14+)
# makes the rows straight from the text; before 14, unnest makes them from an array, which the
# planner builds once more to estimate how many rows unnest makes.
_LINES_OF = "string_to_table(convert_from($1, 'UTF8'), e'\\n')"
_LINES_OF_BEFORE_14 = "unnest(string_to_array(convert_from($1, 'UTF8'), e'\\n'))"
# What Python's bytes.strip() removes: a line of only these is blank, neither read nor numbered
# apart (its number is skipped).
_BLANK = "e' \\t\\n\\r\\x0b\\f'"


class FileRejected(Exception):
    """The file as a whole cannot be loaded (wrong or unreadable header, empty): quarantine it."""


@dataclass(frozen=True)
class StructuralReject:
    row_number: int
    reason: str
    raw: str


@dataclass
class StagedBatch:
    table: str  # the judged rows
    structural_rejects: list[StructuralReject] = field(default_factory=list)


def batch_table(source: LandingSource) -> str:
    return f"_batch_{source.name}"


StagingJob = Callable[[psycopg.Connection], StagedBatch]


def staging_jobs(source: LandingSource, stream: BinaryIO) -> Iterator[StagingJob]:
    """The staging of ``stream``, a job a batch in the batches' order: one batch (CSV) or one a
    chunk of lines (JSON lines). Each job stages its batch on the connection it is given
    (autocommit), replacing any earlier batch of the same name; the jobs of a file of JSON lines
    may run at once, each on a connection of its own."""
    if source.file_format is FileFormat.CSV:
        yield partial(_stage_csv, source=source, stream=stream)
    else:
        yield from _jsonl_jobs(source, stream)


def stage_rows(
    conn: psycopg.Connection, source: LandingSource, rows: Iterable[tuple[str | None, ...]]
) -> StagedBatch:
    """Stage rows already split into the contract's columns (the CRM database extract)."""
    table = batch_table(source)
    staged = f"{table}_rows"
    columns = list(source.columns)
    _create_batch_table(conn, staged, columns)
    rejects: list[StructuralReject] = []
    with conn.cursor().copy(_copy_rows_sql(staged, columns)) as copy:
        for number, row in enumerate(rows, start=1):
            problem = nul_problem(columns, row)
            if problem:
                raw = printable(",".join(value or "" for value in row))
                rejects.append(StructuralReject(number, problem, raw))
            else:
                copy.write_row((number, *row))
    _judge_columns(conn, source, staged, {c: c for c in columns}, table)
    return StagedBatch(table, rejects)


# --- CSV -------------------------------------------------------------------------------------


def _read_header(stream: BinaryIO) -> tuple[list[str], bytes]:
    first = stream.readline()
    if not first.strip():
        raise FileRejected("the file is empty: expected a header row")
    try:
        line = first.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise FileRejected(f"the header is not UTF-8 ({error})") from error
    header = next(csv.reader([line]))
    return [name.strip() for name in header], first


def _check_header(source: LandingSource, header: list[str]) -> None:
    missing = [c for c in source.required_columns if c not in header]
    duplicated = sorted({c for c in header if header.count(c) > 1})
    if missing or duplicated:
        problem = (
            f"missing required column(s) {', '.join(missing)}"
            if missing
            else f"duplicated column(s) {', '.join(duplicated)}"
        )
        raise FileRejected(
            f"wrong header for {source.folder}: {problem}. Found: {', '.join(header)}. "
            f"Expected a comma-separated header with: {', '.join(source.columns)}"
        )


def _stage_csv(conn: psycopg.Connection, *, source: LandingSource, stream: BinaryIO) -> StagedBatch:
    header, _ = _read_header(stream)
    _check_header(source, header)
    table = batch_table(source)
    staged = f"{table}_rows"
    file_columns = [f"c{i}" for i in range(len(header))]
    mapping = {name: column for name, column in zip(header, file_columns, strict=True)}
    body = stream.read()
    rejects: list[StructuralReject] = []
    try:
        with conn.transaction():
            _create_batch_table(conn, staged, file_columns)
            _copy_csv_bytes(conn, staged, file_columns, body)
    except errors.DataError:
        # A wrong field count, a NUL byte, a byte that is not UTF-8: somewhere a row is bad.
        rejects = _stage_csv_row_by_row(conn, staged, file_columns, body)
    _judge_columns(conn, source, staged, mapping, table)
    return StagedBatch(table, rejects)


def _copy_csv_bytes(conn, table: str, columns: list[str], body: bytes) -> None:
    target = sql.SQL("copy raw.{} ({}) from stdin (format csv, encoding 'UTF8')").format(
        sql.Identifier(table), sql.SQL(", ").join(map(sql.Identifier, columns))
    )
    with conn.cursor().copy(target) as copy:
        for start in range(0, len(body), COPY_BLOCK):
            copy.write(body[start : start + COPY_BLOCK])


def _stage_csv_row_by_row(conn, table: str, columns: list[str], body: bytes) -> list:
    """Copy the good rows, numbered as the fast path numbers them, and return the others as
    rejects. Bytes that are not UTF-8 survive the decoding as surrogates, so each is charged to
    its own row rather than to the file."""
    text = body.decode("utf-8", errors="surrogateescape")
    rejects: list[StructuralReject] = []
    good: list[tuple[int, list[str | None]]] = []
    for number, fields, problem in _csv_records(text, len(columns)):
        if problem:
            rejects.append(StructuralReject(number, problem, printable(",".join(fields))))
        else:
            good.append((number, [value if value != "" else None for value in fields]))
    with conn.transaction():
        _create_batch_table(conn, table, columns)
        with conn.cursor().copy(_copy_rows_sql(table, columns)) as copy:
            for number, values in good:
                copy.write_row((number, *values))
    return rejects


def _csv_records(text: str, width: int) -> Iterator[tuple[int, list[str], str | None]]:
    """Each record with its 1-based number and what makes it unloadable (None if nothing)."""
    reader = csv.reader(io.StringIO(text, newline=""))
    number = 0
    while True:
        number += 1
        try:
            fields = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            yield number, [], f"the row cannot be read as CSV: {error}"
            continue
        yield number, fields, csv_row_problem(fields, width)


# --- JSON lines ------------------------------------------------------------------------------


def _jsonl_jobs(source: LandingSource, stream: BinaryIO) -> Iterator[StagingJob]:
    """A job a chunk of whole lines, the chunk's first line numbered as the file numbers it."""
    first_line = 1
    for index, chunk in enumerate(_line_chunks(stream)):
        yield partial(_stage_json_chunk, source=source, chunk=chunk, index=index, first=first_line)
        first_line += _line_count(chunk)


def _stage_json_chunk(
    conn: psycopg.Connection, *, source: LandingSource, chunk: bytes, index: int, first: int
) -> StagedBatch:
    """The chunk sent to the server as it is (its lines blanked where text cannot hold them),
    split into lines, parsed and judged there into the batch table of the chunk."""
    table = f"{batch_table(source)}_{index}"
    storable, rejects = _storable_chunk(chunk, first)
    _parse_lines(conn, source, storable, first, table)
    return StagedBatch(table, rejects)


def _line_chunks(stream: BinaryIO) -> Iterator[bytes]:
    """The stream in chunks of about ``JSON_CHUNK_BYTES``, each ending at the end of a line (the
    last one at the end of the stream)."""
    blocks: list[bytes] = []
    size = 0
    while block := stream.read(COPY_BLOCK):
        blocks.append(block)
        size += len(block)
        if size >= JSON_CHUNK_BYTES:
            data = b"".join(blocks)
            cut = data.rfind(b"\n") + 1
            if cut:
                yield data[:cut]
                blocks, size = [data[cut:]], len(data) - cut
    if rest := b"".join(blocks):
        yield rest


def _line_count(chunk: bytes) -> int:
    return chunk.count(b"\n") + (not chunk.endswith(b"\n"))


def _storable_chunk(chunk: bytes, first_line: int) -> tuple[bytes, list[StructuralReject]]:
    """The chunk as PostgreSQL text can hold it, and the lines it cannot. Almost always the
    chunk as it is; when it holds a NUL byte or a byte that is not UTF-8, Python rejects each
    line holding one and blanks it, so the others keep their numbers (a blank line is neither
    read nor numbered apart)."""
    if b"\x00" not in chunk and _is_utf8(chunk):
        return chunk, []
    lines = chunk.split(b"\n")
    rejects: list[StructuralReject] = []
    for offset, line in enumerate(lines):
        line = line.removesuffix(b"\r")
        if problem := unstorable_line(line):
            number = first_line + offset
            rejects.append(StructuralReject(number, problem, printable_line(line)))
            lines[offset] = b""
    return b"\n".join(lines), rejects


def _is_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _parse_lines(conn, source: LandingSource, chunk: bytes, first_line: int, table: str) -> None:
    """The chunk's lines parsed and judged into ``table`` (see ``_json_rows``). The cheap screen
    first: a line that json reads but jsonb refuses (``\\u0000``, a lone surrogate, a number
    beyond ``numeric``) makes the cast raise, and the chunk is parsed again behind jsonb's own,
    dearer, check."""
    lines = _LINES_OF if conn.info.server_version >= 140000 else _LINES_OF_BEFORE_14
    for screen in ("json", "jsonb"):
        try:
            with conn.transaction():
                # The chunk's lines are held in memory, not spilled to a temporary file.
                conn.execute("set local work_mem = '64MB'")
                rows = _json_rows(source, sql.SQL(lines), first_line, screen)
                judge_into(conn, source, rows, table, (chunk,))
            return
        except errors.DataError:
            if screen == "jsonb":
                raise


def _json_rows(source: LandingSource, lines: sql.SQL, first_line: int, screen: str) -> sql.Composed:
    """The lines of the chunk (the statement's parameter ``$1``, UTF-8 bytes, made rows of
    ``line`` by ``lines``) as the contract's rows, numbered from ``first_line``: each line parsed
    once, its values read from it as text (a value that is an object or an array reads as its
    JSON text), blank lines left out. Splitting a parameter costs the server less than copying
    the lines into a table and reading them back. ``_json_type`` is the line's JSON type, NULL
    when the server cannot read it as JSON that jsonb stores; ``_raw`` keeps the lines that are
    not JSON objects, for their reject (without the carriage return of a Windows line end)."""
    values = sql.SQL(", ").join(
        sql.SQL("nullif(btrim(_document ->> {}), '') as {}").format(
            sql.Literal(column), sql.Identifier(column)
        )
        for column in source.columns
    )
    return sql.SQL(
        "select _row_number, "
        "case when jsonb_typeof(_document) is distinct from 'object' "
        "then regexp_replace(line, e'\\r$', '') end as _raw, "
        "jsonb_typeof(_document) as _json_type, {values} from ("
        "select {before} + _line as _row_number, line, "
        "case when raw.is_valid(line, {screen}) then line::jsonb end as _document "
        "from {lines} with ordinality as lines (line, _line) offset 0) as lines "
        "where _document is not null or btrim(line, {blank}) <> ''"
    ).format(
        values=values,
        lines=lines,
        before=sql.Literal(first_line - 1),
        screen=sql.Literal(screen),
        blank=sql.SQL(_BLANK),
    )


# --- shared ----------------------------------------------------------------------------------


def _copy_rows_sql(table: str, columns: list[str]) -> sql.Composed:
    return sql.SQL("copy raw.{} (_row_number, {}) from stdin").format(
        sql.Identifier(table), sql.SQL(", ").join(map(sql.Identifier, columns))
    )


def _create_batch_table(conn, table: str, columns: list[str]) -> None:
    conn.execute(sql.SQL("drop table if exists raw.{} cascade").format(sql.Identifier(table)))
    definition = sql.SQL(", ").join(
        [sql.SQL("_row_number bigint generated by default as identity")]
        + [sql.SQL("{} text").format(sql.Identifier(c)) for c in columns]
    )
    conn.execute(
        sql.SQL("create unlogged table raw.{} ({})").format(sql.Identifier(table), definition)
    )


def _judge_columns(conn, source: LandingSource, staged: str, mapping: dict, table: str) -> None:
    """The staged rows of a CSV file or CRM extract judged into ``table``; ``mapping`` names
    the staged column of each of the contract's columns present."""
    with conn.transaction():
        judge_into(conn, source, _column_rows(source, staged, mapping), table)
        conn.execute(sql.SQL("drop table raw.{}").format(sql.Identifier(staged)))


def _column_rows(source: LandingSource, table: str, mapping: dict[str, str]) -> sql.Composed:
    """The staged table of a CSV file or CRM extract as the contract's rows."""
    values = []
    for name in source.columns:
        value = (
            sql.SQL("nullif(btrim({}), '')").format(sql.Identifier(mapping[name]))
            if name in mapping
            else sql.SQL("null::text")
        )
        values.append(sql.SQL("{} as {}").format(value, sql.Identifier(name)))
    return sql.SQL("select _row_number, null::text as _raw, {} from raw.{}").format(
        sql.SQL(", ").join(values), sql.Identifier(table)
    )
