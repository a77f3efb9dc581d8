"""Several dispatchers in one dispatch step, side by side: each a process of its own with its own
database session and provider connection, all draining the step's share of the outbox
(docs/architecture.md, Sending invariants: Exactly once).

One dispatcher uses one core: composing a mail, PostgreSQL's bookkeeping and the provider's
answers take turns. Processes are what lets a run use the others; starting them costs about
two seconds (each imports what it runs), so they pay off from a few thousand messages. They
run inside the step rather than as steps of the run because the jobs run in process
(``orchestration/jobs.py``): Dagster's multiprocess executor would load the code location again
for every step, and the step would no longer run unchanged on the in-process executor.

Each process is a dispatcher like any other: present under a worker id of its own (the run,
the channel, its number and its process id), so its claims and its in-doubt bound (one group)
are its own, and a process that dies frees its rows as a killed run does. They share the step's
partition rather than split it further: claims never overlap whatever the partitions (``FOR
UPDATE SKIP LOCKED`` and the leases), and with one partition PostgreSQL claims in index order
(``assets.outbox_queue``) instead of sorting every due row of a partition for each batch.

The processes are started with ``spawn``, never ``fork``: the step's process may hold threads
and open connections that a forked child must not inherit. So what they are handed is pickled:
the warehouse's URL, the ``senders`` resource (which must pickle), the claim and the retry
policy.
"""

from __future__ import annotations

import multiprocessing
import os
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from contextlib import AbstractContextManager
from dataclasses import replace
from typing import Protocol

import psycopg

from assets.dispatch import dispatch_channel
from assets.outbox_queue import Claim
from senders.protocol import Sender
from senders.rate_limit import rate_limiter
from senders.retry_policy import RetryPolicy


class Senders(Protocol):
    """The ``senders`` resource: the sender of a channel, opened for one dispatch step. With
    several workers it is pickled to each of their processes."""

    def open(self, channel: str) -> AbstractContextManager[Sender]: ...


def dispatch_side_by_side(
    url: str,
    senders: Senders,
    claim: Claim,
    workers: int,
    retry_policy: RetryPolicy,
    send_rate: float | None = None,
) -> Counter:
    """``workers`` dispatchers on ``claim``'s share of the outbox, each in a process of its own
    (one: in this process); what ``dispatch_channel`` counted, added up. ``send_rate``
    (messages a second) is shared out evenly. An exception in any process is raised here once
    all have finished."""
    if workers < 1:
        raise ValueError(f"a dispatch step needs at least one worker, got {workers}")
    if workers == 1:
        return dispatch_as_worker(url, senders, claim, 0, retry_policy, send_rate)
    rate = send_rate / workers if send_rate else None
    spawn = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(workers, mp_context=spawn) as pool:
        running = [
            pool.submit(dispatch_as_worker, url, senders, claim, number, retry_policy, rate)
            for number in range(workers)
        ]
        return sum((done.result() for done in running), Counter())


def dispatch_as_worker(
    url: str,
    senders: Senders,
    claim: Claim,
    number: int,
    retry_policy: RetryPolicy,
    send_rate: float | None,
) -> Counter:
    """One dispatcher, in the calling process: ``claim.worker`` gets the partition, the
    worker's ``number`` and the process id, so no two dispatchers (or a retried step) ever
    pass for the same worker."""
    worker = f"{claim.worker}/{claim.partition}/{number}/{os.getpid()}"
    with (
        psycopg.connect(url, autocommit=True) as conn,
        senders.open(claim.channel) as sender,
    ):
        counts = dispatch_channel(
            conn, sender, replace(claim, worker=worker), retry_policy, rate_limiter(send_rate)
        )
    return counts
