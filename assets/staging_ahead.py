"""Stage a file one batch ahead of its split, on a connection of its own.

While the caller's connection splits a chunk of a file into raw and rejects, a thread has the
server copy and parse the next chunk on the staging connection: two server processes work side
by side, and a file takes about the longer of the two jobs rather than their sum. Each batch is
committed by the staging connection before it is handed over, so the splitting transaction sees
it; the split drops it once read.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import BinaryIO

import psycopg

from assets.batch_staging import StagedBatch, stage_stream
from models.landing import LandingSource

_DONE = object()


@contextmanager
def staged_ahead(
    staging: psycopg.Connection, source: LandingSource, stream: BinaryIO
) -> Iterator[Iterator[StagedBatch]]:
    """The batches of ``stage_stream`` on ``staging`` (autocommit), staged at most one ahead
    of the caller. An error of the staging (a file that cannot be read, a lost connection) is
    raised where the caller takes the next batch; leaving the block stops the staging and
    waits for it, so the stream may be closed after."""
    handed: queue.Queue = queue.Queue(maxsize=1)
    stop = threading.Event()

    def hand_over(item) -> bool:
        while not stop.is_set():
            try:
                handed.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def stage() -> None:
        try:
            for batch in stage_stream(staging, source, stream):
                if not hand_over(batch):
                    return
        except BaseException as error:  # noqa: BLE001 — raised again in the caller's thread
            hand_over(error)
        else:
            hand_over(_DONE)

    def batches() -> Iterator[StagedBatch]:
        while (item := handed.get()) is not _DONE:
            if isinstance(item, BaseException):
                raise item
            yield item

    thread = threading.Thread(target=stage, name=f"stage {source.name}", daemon=True)
    thread.start()
    try:
        yield batches()
    finally:
        stop.set()
        thread.join()
