"""Stage one landed file into the server as a batch table, as fast as a plain ``COPY``.

CSV files are copied as they are; only when that hits a problem in a row (the wrong number of
fields, a NUL byte, bytes that are not UTF-8) does the file take the slow path, in which Python
finds the broken rows, keeps them as rejects with their reason, and copies the rest. JSON lines
are parsed by Python while the server copies (see ``_stage_jsonl``). Either way a bad row costs
that row alone: only a file whose header cannot be read is refused as a whole.

Every staged batch is exposed as the view ``raw._batch_<source>_rows`` with the contract's columns,
trimmed, empty as NULL, plus ``_row_number`` and ``_raw``; that view is what validation reads.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import BinaryIO

import orjson
import psycopg
from psycopg import errors, sql

from assets.unstorable_rows import (
    csv_row_problem,
    nul_problem,
    printable,
    printable_line,
    undecodable_json_line,
)
from models.landing import FileFormat, LandingSource

COPY_BLOCK = 1 << 20


class FileRejected(Exception):
    """The file as a whole cannot be loaded (wrong or unreadable header, empty): quarantine it."""


@dataclass(frozen=True)
class StructuralReject:
    row_number: int
    reason: str
    raw: str


@dataclass
class StagedBatch:
    table: str
    view: str
    structural_rejects: list[StructuralReject] = field(default_factory=list)


def batch_names(source: LandingSource) -> tuple[str, str]:
    return f"_batch_{source.name}", f"_batch_{source.name}_rows"


def stage_stream(conn: psycopg.Connection, source: LandingSource, stream: BinaryIO) -> StagedBatch:
    """Load ``stream`` into the batch table of ``source`` (replacing any earlier batch)."""
    if source.file_format is FileFormat.CSV:
        return _stage_csv(conn, source, stream)
    return _stage_jsonl(conn, source, stream)


def stage_rows(
    conn: psycopg.Connection, source: LandingSource, rows: Iterable[tuple[str | None, ...]]
) -> StagedBatch:
    """Stage rows already split into the contract's columns (the CRM database extract)."""
    table, view = batch_names(source)
    columns = list(source.columns)
    _create_batch_table(conn, table, columns)
    rejects: list[StructuralReject] = []
    with conn.cursor().copy(_copy_rows_sql(table, columns)) as copy:
        for number, row in enumerate(rows, start=1):
            problem = nul_problem(columns, row)
            if problem:
                raw = printable(",".join(value or "" for value in row))
                rejects.append(StructuralReject(number, problem, raw))
            else:
                copy.write_row((number, *row))
    _create_view(conn, source, table, view, {c: c for c in columns}, raw_expression="null")
    return StagedBatch(table, view, rejects)


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


def _stage_csv(conn: psycopg.Connection, source: LandingSource, stream: BinaryIO) -> StagedBatch:
    header, _ = _read_header(stream)
    _check_header(source, header)
    table, view = batch_names(source)
    file_columns = [f"c{i}" for i in range(len(header))]
    mapping = {name: column for name, column in zip(header, file_columns, strict=True)}
    body = stream.read()
    rejects: list[StructuralReject] = []
    try:
        with conn.transaction():
            _create_batch_table(conn, table, file_columns)
            _copy_csv_bytes(conn, table, file_columns, body)
    except errors.DataError:
        # A wrong field count, a NUL byte, a byte that is not UTF-8: somewhere a row is bad.
        rejects = _stage_csv_row_by_row(conn, table, file_columns, body)
    _create_view(conn, source, table, view, mapping, raw_expression="null")
    return StagedBatch(table, view, rejects)


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


def _json_text(value) -> str | None:
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, dict | list):
        return orjson.dumps(value).decode()
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _json_lines(stream: BinaryIO) -> Iterator[tuple[int, bytes]]:
    """Non-blank lines with their 1-based line numbers, read in blocks."""
    number, pending = 0, b""
    while block := stream.read(COPY_BLOCK):
        lines = (pending + block).split(b"\n")
        pending = lines.pop()
        for line in lines:
            number += 1
            if line.strip():
                yield number, line
    if pending.strip():
        yield number + 1, pending


def _stage_jsonl(conn: psycopg.Connection, source: LandingSource, stream: BinaryIO) -> StagedBatch:
    """Python parses each line (orjson) while the server copies the previous block: the two
    cores work side by side, the server never parses JSON, and a broken line costs one reject
    instead of a second pass over the file."""
    table, view = batch_names(source)
    columns = list(source.columns)
    rejects: list[StructuralReject] = []
    target = sql.SQL("copy raw.{} (_row_number, {}) from stdin (format csv)").format(
        sql.Identifier(table), sql.SQL(", ").join(map(sql.Identifier, columns))
    )
    with conn.transaction():
        _create_batch_table(conn, table, columns)
        with conn.cursor().copy(target) as copy:
            buffer = io.StringIO()
            writer = csv.writer(buffer, lineterminator="\n")
            for number, line in _json_lines(stream):
                values, problem = _json_row(line, columns)
                if problem:
                    rejects.append(StructuralReject(number, problem, printable_line(line)))
                    continue
                writer.writerow([number, *values])
                if buffer.tell() > COPY_BLOCK:
                    copy.write(buffer.getvalue())
                    buffer.seek(0)
                    buffer.truncate()
            copy.write(buffer.getvalue())
    _create_view(conn, source, table, view, {c: c for c in columns}, raw_expression="null")
    return StagedBatch(table, view, rejects)


def _json_row(line: bytes, columns: list[str]) -> tuple[list[str | None], str | None]:
    """The line's values in ``columns`` order, or why the line cannot be loaded."""
    try:
        document = orjson.loads(line)
    except orjson.JSONDecodeError as error:
        return [], undecodable_json_line(line, error)
    if not isinstance(document, dict):
        return [], "the line is JSON but not an object"
    values = [_json_text(document.get(c)) for c in columns]
    # orjson reads \u0000 as U+0000, which no PostgreSQL text holds; objects keep it escaped
    # for the jsonb rule to judge.
    if b"\\u0000" in line:
        return values, nul_problem(columns, values)
    return values, None


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


def _column_expressions(source: LandingSource, mapping: dict[str, str]) -> Iterator[sql.Composable]:
    for name in source.columns:
        if name in mapping:
            value = sql.SQL("nullif(btrim({}), '')").format(sql.Identifier(mapping[name]))
        else:
            value = sql.SQL("null::text")
        yield sql.SQL("{} as {}").format(value, sql.Identifier(name))


def _create_view(
    conn,
    source: LandingSource,
    table: str,
    view: str,
    mapping: dict[str, str],
    raw_expression: str,
) -> None:
    columns = sql.SQL(", ").join(_column_expressions(source, mapping))
    with conn.transaction():
        conn.execute(
            sql.SQL(
                "create or replace view raw.{} as select _row_number, {} as _raw, {} from raw.{}"
            ).format(sql.Identifier(view), sql.SQL(raw_expression), columns, sql.Identifier(table))
        )
