"""Ingest every new file of one landing source, exactly once.

A file is new unless the registry ``raw._landing_files`` holds its path with the same checksum
(a file whose size and modification time are unchanged is not even re-read to find out). A
session-level advisory lock per source keeps two runs from loading the same source at once.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

import psycopg

from assets.batch_staging import FileRejected
from assets.expectations import BatchExpectations, ExpectationOutcome
from assets.landing_zone import LandingFile, LandingZone, opened
from assets.raw_loader import LoadCounts, drop_batch, split_batch
from assets.staging_ahead import staged_ahead
from models.landing import LandingSource
from warehouse.row_rules import judged_rules


@dataclass
class QuarantinedFile:
    path: str
    moved_to: str
    error: str


@dataclass
class SourceIngestion:
    """What one materialization of an ingest asset did."""

    source: LandingSource
    counts: LoadCounts = field(default_factory=LoadCounts)
    loaded_files: list[str] = field(default_factory=list)
    skipped_files: int = 0
    quarantined: list[QuarantinedFile] = field(default_factory=list)
    unexpected: Counter = field(default_factory=Counter)

    def record_expectations(self, outcomes: list[ExpectationOutcome]) -> None:
        for outcome in outcomes:
            self.unexpected[outcome.expectation] += outcome.unexpected_count


class source_lock:
    """Session-level advisory lock: one ingestion per source at a time, across processes."""

    def __init__(self, conn: psycopg.Connection, source: LandingSource):
        self.conn, self.key = conn, f"touchpoint.ingest.{source.name}"

    def __enter__(self):
        self.conn.execute("select pg_advisory_lock(hashtext(%s))", (self.key,))

    def __exit__(self, *exc):
        self.conn.execute("select pg_advisory_unlock(hashtext(%s))", (self.key,))


def ingest_landing_source(
    conn: psycopg.Connection,
    stagings: Sequence[psycopg.Connection],
    zone: LandingZone,
    source: LandingSource,
    expectations: BatchExpectations,
) -> SourceIngestion:
    """Load the new files of ``source``; ``stagings``, other connections to the same database
    (autocommit), stage each file while ``conn`` splits it (``assets.staging_ahead``)."""
    result = SourceIngestion(source)
    with source_lock(conn, source):
        for file in zone.list_files(source):
            checksum = _unregistered_checksum(conn, zone, file)
            if checksum is None:
                result.skipped_files += 1
                continue
            _ingest_file(conn, stagings, zone, source, file, checksum, expectations, result)
    return result


def _unregistered_checksum(conn, zone: LandingZone, file: LandingFile) -> str | None:
    """The file's checksum if it still has to be loaded, None if the registry has it."""
    unchanged = conn.execute(
        "select 1 from raw._landing_files where path = %s and size = %s and modified_at = %s",
        (file.path, file.size, file.modified_at),
    ).fetchone()
    if unchanged:
        return None
    checksum = zone.checksum(file)
    known = conn.execute(
        "select 1 from raw._landing_files where path = %s and checksum = %s",
        (file.path, checksum),
    ).fetchone()
    return None if known else checksum


def _ingest_file(conn, stagings, zone, source, file, checksum, expectations, result) -> None:
    """Split and register the file in one transaction, as it is staged; its expectations are
    validated on the split's counts before it commits, so a batch GX cannot judge is not
    loaded. The commit does not wait for the WAL to reach the disk: a crash can lose only the
    whole transaction, rows and registry entry together, and the next run loads the file again."""
    counts = LoadCounts()
    try:
        with (
            conn.transaction(),
            opened(zone, file) as stream,
            staged_ahead(stagings, source, stream) as batches,
        ):
            conn.execute("set local synchronous_commit = off")
            for batch in batches:
                counts.add(split_batch(conn, source, batch, file.path))
                drop_batch(conn, batch)
            outcomes = expectations.validate(judged_rules(source), counts.broken)
            _register(conn, source, file, checksum, "loaded", counts, None)
    except FileRejected as problem:
        _quarantine(conn, zone, source, file, checksum, str(problem), result)
        return
    result.record_expectations(outcomes)
    result.counts.add(counts)
    result.loaded_files.append(file.path)


def _quarantine(conn, zone, source, file, checksum, problem, result) -> None:
    when = datetime.now(UTC).isoformat(timespec="seconds")
    message = f"{file.path} was not loaded ({when}): {problem}"
    moved_to = zone.quarantine(file, message)
    with conn.transaction():
        _register(conn, source, file, checksum, "quarantined", LoadCounts(), problem)
    result.quarantined.append(QuarantinedFile(file.path, moved_to, problem))


def _register(conn, source, file: LandingFile, checksum, status, counts: LoadCounts, error) -> None:
    conn.execute(
        "insert into raw._landing_files (path, checksum, source, status, size, modified_at, "
        "rows_read, rows_loaded, rows_rejected, error) "
        "values (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
        (
            file.path,
            checksum,
            source.name,
            status,
            file.size,
            file.modified_at,
            counts.rows_read,
            counts.rows_loaded,
            counts.rows_rejected,
            error,
        ),
    )
