"""The CPU time the server's backends spent, read from the postmaster's account of its children.

On a shared machine a wall time moves with whatever else runs; the CPU seconds of the work
itself hardly do. The kernel adds a child's CPU time to its parent's ``cutime``/``cstime`` when
the parent reaps it, so the postmaster's grows by each backend's CPU once its connection has
closed: measure around a block whose connections all close inside it (Linux only)."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from orchestration.embedded_postgres import EmbeddedPostgres

# How long a closed backend may take to exit and be reaped by the postmaster.
_REAP_SECONDS = 0.5


def _children_cpu_seconds(pid: int) -> float:
    stat = Path(f"/proc/{pid}/stat").read_text()
    fields = stat[stat.rindex(")") + 2 :].split()
    # After the command: state is field 3 of stat(5), cutime and cstime fields 16 and 17.
    cutime, cstime = int(fields[13]), int(fields[14])
    return (cutime + cstime) / os.sysconf("SC_CLK_TCK")


@contextmanager
def server_cpu(server: EmbeddedPostgres) -> Iterator[list[float]]:
    """The CPU seconds of the backends that ended in the block, in the list yielded (one value,
    set when the block ends)."""
    postmaster = int((server.data_dir / "postmaster.pid").read_text().split()[0])
    before = _children_cpu_seconds(postmaster)
    spent: list[float] = []
    yield spent
    time.sleep(_REAP_SECONDS)
    spent.append(_children_cpu_seconds(postmaster) - before)
