"""The CPU time the server spent on one database's connections, read from /proc while they run.

On a shared machine a wall time moves with whatever else runs; the CPU seconds of the work
itself hardly do. A sampler follows the postmaster's children whose process title names the
database (the backends of its connections; not autovacuum, which works for whichever block
happens to be running when it wakes) and keeps each one's last CPU time: at most a sampling
interval of a backend's last moments, when it closes, goes uncounted. Linux only."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from orchestration.embedded_postgres import EmbeddedPostgres

_INTERVAL_SECONDS = 0.05


def _children(pid: int) -> list[int]:
    return [
        int(child)
        for task in Path(f"/proc/{pid}/task").iterdir()
        for child in (task / "children").read_text().split()
    ]


def _backend_cpu_seconds(pid: int, database: str) -> float | None:
    """The CPU seconds of the child ``pid`` if it is a backend of ``database``, else None."""
    try:
        title = Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace")
        stat = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return None
    words = title.replace("\0", " ").split()
    if database not in words or "autovacuum" in words:
        return None
    fields = stat[stat.rindex(")") + 2 :].split()
    # After the command: state is field 3 of stat(5), utime and stime fields 14 and 15.
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@contextmanager
def server_cpu(server: EmbeddedPostgres, database: str) -> Iterator[list[float]]:
    """The CPU seconds of the backends of ``database`` during the block, in the list yielded
    (one value, set when the block ends)."""
    postmaster = int((server.data_dir / "postmaster.pid").read_text().split()[0])
    seen: dict[int, float] = {}
    stop = threading.Event()

    def sample() -> None:
        for child in _children(postmaster):
            if (seconds := _backend_cpu_seconds(child, database)) is not None:
                seen[child] = seconds

    def follow() -> None:
        while not stop.wait(_INTERVAL_SECONDS):
            sample()

    sample()
    before = dict(seen)
    sampler = threading.Thread(target=follow, daemon=True)
    sampler.start()
    spent: list[float] = []
    try:
        yield spent
    finally:
        stop.set()
        sampler.join()
    sample()
    spent.append(sum(seen.values()) - sum(before.values()))
