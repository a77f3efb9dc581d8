"""Stage a file's batches ahead of their split, on connections of their own.

While the caller's connection splits a batch of a file into raw and rejects, threads have the
server take in, parse and judge the next batches, each on a staging connection of its own: several
server processes work side by side, and a file takes about the longest of their jobs rather than
their sum. Staging a chunk of JSON lines costs the server four to five times its split, so three
staging connections keep the splitting one busy (a fourth gained nothing, measured on two
cores). Each batch is committed by its staging connection before it is handed over, so the
splitting transaction sees it; the split drops it once read.

The staging connections commit without waiting for the WAL to reach the disk: what they commit
is unlogged scratch that a crash empties anyway, and a file counts as loaded only when the
splitting connection commits its rows with its registry entry.
"""

from __future__ import annotations

import queue
from collections import deque
from collections.abc import Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from typing import BinaryIO

import psycopg

from assets.batch_staging import StagedBatch, StagingJob, staging_jobs
from models.landing import LandingSource

# How many connections stage a file's batches at once (see the module's docstring).
STAGING_CONNECTIONS = 3


@contextmanager
def staged_ahead(
    stagings: Sequence[psycopg.Connection], source: LandingSource, stream: BinaryIO
) -> Iterator[Iterator[StagedBatch]]:
    """The batches of ``staging_jobs`` in their order, staged on ``stagings`` (autocommit), each
    connection a batch at a time, at most one batch a connection ahead of the caller. An error
    of the staging (a file that cannot be read, a lost connection) is raised where the caller
    takes that batch; leaving the block drops the staging not yet started and waits for the
    rest, so the stream may be closed after."""
    free: queue.SimpleQueue[psycopg.Connection] = queue.SimpleQueue()
    for connection in stagings:
        connection.execute("set synchronous_commit = off")
        free.put(connection)

    def run(job: StagingJob) -> StagedBatch:
        connection = free.get()
        try:
            return job(connection)
        finally:
            free.put(connection)

    pending: deque[Future[StagedBatch]] = deque()

    def batches() -> Iterator[StagedBatch]:
        for job in staging_jobs(source, stream):
            pending.append(pool.submit(run, job))
            if len(pending) > len(stagings):
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()

    with ThreadPoolExecutor(len(stagings), thread_name_prefix=f"stage {source.name}") as pool:
        try:
            yield batches()
        finally:
            for future in pending:
                future.cancel()
