"""The daily pass at scale (`make bench BENCH_ARGS="--only scale"`): a synthetic landing zone of
1 M customers (10 M+ web events, a million-odd order lines, the vehicles, the usual dirt), then
`touchpoint run` as an operator runs it — ingest → dbt build → triggers → campaigns and journeys
→ dispatch to postfix's smtp-sink — on a fresh database of the bench's PostgreSQL, and a second
pass a day later (the following daily build) after a new day's behaviour landed in raw: the
last day's web events and till lines again, a day later, under new ids (tests/bench/next_day.py).

Printed per pass: the wall time of the whole pass and of each Dagster step (from the run's own
event log), grouped by stage; per process, the peak resident memory (VmHWM, read from /proc
twice a second for `touchpoint run`, its children — dbt — and the PostgreSQL server's
processes); the generator's peak comes from wait4. Each size given runs in turn, so memory can
be compared across sizes: flat means the same peaks at 100 k as at 1 M.

Generation takes minutes at 1 M customers; the landing zone is kept under the bench's home and
reused while the size, visits and hour of the as-of instant are the same.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from dagster import DagsterInstance
from dagster._core.instance.ref import InstanceRef

from orchestration.embedded_postgres import EmbeddedPostgres
from tests.bench.database import fresh_database
from tests.bench.next_day import land_next_day
from tests.bench.smtp_sink import SmtpSink, SmtpSinkMissing, smtp_sink_binary

TOUCHPOINT = Path(sys.executable).with_name("touchpoint")
SEED = 7
# Step key prefixes of the daily job, in the order a pass runs them.
STAGES = (
    ("ingest", ("raw__",)),
    ("dbt build", ("datamart",)),
    ("campaigns", ("campaigns", "messaging__campaigns")),
    ("journeys", ("journeys",)),
    ("dispatch", ("dispatch__",)),
    ("reports", ("reports__",)),
)
# PostgreSQL's own processes, shown as one line: the connections and workers are the figures.
SERVER_ROLES = ("postgres: a connection", "postgres: autovacuum worker", "postgres: parallel")


def bench_scale(
    server: EmbeddedPostgres,
    tools: Path,
    work_dir: Path,
    sizes: list[int],
    visits: float,
    as_of: datetime | None = None,
) -> None:
    """One daily pass at each size and a second a day later; ``as_of`` (default: this hour)
    names the first pass's instant — give a past one to reuse a landing zone generated then."""
    try:
        sink_binary = smtp_sink_binary(tools)
    except SmtpSinkMissing as missing:
        print(f"scale: no figure, smtp-sink (the mail sink) is not available: {missing}")
        return
    as_of = as_of or datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    for customers in sizes:
        landing = scale_landing(work_dir, customers, visits, as_of)
        url = fresh_database(server, f"bench_scale_{customers}")
        home = work_dir / f"scale-home-{customers}"
        with SmtpSink(sink_binary, work_dir / "scale-smtp-sink.log") as sink:
            for day in (0, 1):
                settings = {
                    "TOUCHPOINT_HOME": str(home),
                    "TOUCHPOINT_DATABASE_URL": url,
                    "TOUCHPOINT_LANDING": str(landing),
                    "TOUCHPOINT_SMTP_URL": sink.url,
                    "TOUCHPOINT_EMAIL_SENDER": "smtp",
                    "TOUCHPOINT_SMS_SENDER": "file",
                    # Where survey answer links point: without it the survey messages fail (no
                    # service need answer them here, only their rendering and sending count).
                    "TOUCHPOINT_TRACKING_URL": "http://127.0.0.1:8000",
                }
                before = sink.received()
                title = "first pass" if day == 0 else next_day_title(url, as_of)
                run = daily_pass(settings, as_of + timedelta(days=day), server, home)
                print(f"daily pass at {customers:,} customers, {title}")
                run.print(sink.received() - before)


def next_day_title(url: str, as_of: datetime) -> str:
    """Land the next day's behaviour for the second pass; its title says how much."""
    events, lines, _ = land_next_day(url, as_of)
    return f"a day later, {events:,} new web events and {lines:,} new till lines in raw"


# ---------------------------------------------------------------- the landing zone


def scale_landing(work_dir: Path, customers: int, visits: float, as_of: datetime) -> Path:
    """`touchpoint generate` in its own process (its wall time and peak memory printed), once
    per size, visits and as-of hour."""
    root = work_dir / f"scale-landing-{customers}-{visits}"
    stamp = root / ".complete"
    if stamp.exists() and stamp.read_text() == as_of.isoformat():
        return root
    stamp.unlink(missing_ok=True)
    argv = [str(TOUCHPOINT), "generate", "--out", str(root), "--customers", str(customers)]
    argv += ["--seed", str(SEED), "--as-of", as_of.isoformat(), "--visits", str(visits)]
    started = time.perf_counter()
    process = subprocess.Popen(argv, stdout=subprocess.PIPE, text=True)
    output = process.stdout.read() if process.stdout else ""
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise RuntimeError(f"touchpoint generate failed ({process.returncode}): {output}")
    seconds = time.perf_counter() - started
    rows = [line.strip() for line in output.splitlines() if "rows" in line or "events" in line]
    print(
        f"generated {customers:,} customers in {seconds:.0f} s, peak RSS "
        f"{usage.ru_maxrss / 1024:,.0f} MiB: " + "; ".join(rows[:6])
    )
    stamp.write_text(as_of.isoformat())
    return root


# ---------------------------------------------------------------- one pass


@dataclass
class PassFigures:
    seconds: float
    steps: list[tuple[str, float]]  # (step key, seconds), in the order they started
    peaks: dict[str, tuple[int, int]]  # process kind → (peak KiB, processes seen)
    returncode: int
    log: Path

    def print(self, mails: int) -> None:
        status = "" if self.returncode == 0 else f" — FAILED ({self.returncode}), see {self.log}"
        print(f"  whole pass (touchpoint run): {self.seconds:,.0f} s{status}")
        for stage, seconds, steps in self._stages():
            print(f"  {stage:<12}: {seconds:7,.1f} s  ({steps} step{'s' if steps > 1 else ''})")
        print(f"  mails received by smtp-sink: {mails:,}")
        for kind, (kib, count) in sorted(self.peaks.items(), key=lambda item: -item[1][0]):
            many = f" (largest of {count})" if count > 1 else ""
            print(f"  peak RSS {kind:<34}: {kib / 1024:7,.0f} MiB{many}")

    def _stages(self) -> list[tuple[str, float, int]]:
        totals: dict[str, list[float]] = defaultdict(list)
        for key, seconds in self.steps:
            stage = next(
                (name for name, prefixes in STAGES if key.startswith(prefixes)), "other steps"
            )
            totals[stage].append(seconds)
        order = [name for name, _ in STAGES] + ["other steps"]
        return [(name, sum(totals[name]), len(totals[name])) for name in order if totals[name]]


def daily_pass(
    settings: dict[str, str], as_of: datetime, server: EmbeddedPostgres, home: Path
) -> PassFigures:
    log = home.parent / f"{home.name}-run-{as_of:%Y%m%d}.log"
    home.mkdir(parents=True, exist_ok=True)
    argv = [str(TOUCHPOINT), "run", "--as-of", as_of.isoformat()]
    started = time.perf_counter()
    with log.open("wb") as out:
        process = subprocess.Popen(
            argv, stdout=out, stderr=subprocess.STDOUT, env=os.environ | settings
        )
        with PeakMemory([process.pid, postmaster_pid(server)]) as memory:
            returncode = process.wait()
    seconds = time.perf_counter() - started
    return PassFigures(seconds, step_seconds(home), memory.by_kind(), returncode, log)


def step_seconds(home: Path) -> list[tuple[str, float]]:
    """Each step of the latest run in the home's Dagster instance, with its wall time."""
    instance = DagsterInstance.from_ref(InstanceRef.from_dir(str(home / "dagster")))
    try:
        runs = instance.get_runs(limit=1)
        if not runs:
            return []
        stats = instance.get_run_step_stats(runs[0].run_id)
    finally:
        instance.dispose()
    timed = [s for s in stats if s.start_time and s.end_time]
    return [(s.step_key, s.end_time - s.start_time) for s in sorted(timed, key=_start)]


def _start(stats) -> float:
    return stats.start_time


def postmaster_pid(server: EmbeddedPostgres) -> int:
    return int((server.data_dir / "postmaster.pid").read_text().splitlines()[0])


# ---------------------------------------------------------------- memory


@dataclass
class PeakMemory:
    """Samples, twice a second, the high-water mark of resident memory (VmHWM) of every process
    under `roots`, until the `with` block ends. A process's VmHWM only grows, so the last
    sample before it exits holds its peak (one living under 0.5 s may be missed)."""

    roots: list[int]
    interval: float = 0.5
    peaks: dict[int, tuple[str, int]] = field(default_factory=dict)
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def __enter__(self) -> PeakMemory:
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()

    def by_kind(self) -> dict[str, tuple[int, int]]:
        kinds: dict[str, list[int]] = defaultdict(list)
        for kind, kib in self.peaks.values():
            if kind.startswith("postgres:") and not kind.startswith(SERVER_ROLES):
                kind = "postgres: the server's own processes"
            elif not kind.startswith(("postgres", "touchpoint", "dbt")):
                kind = "other processes"
            kinds[kind].append(kib)
        return {kind: (max(values), len(values)) for kind, values in kinds.items()}

    def _sample(self) -> None:
        while not self._stop.wait(self.interval):
            for pid in _descendants(self.roots):
                kib = _high_water_kib(pid)
                if kib:
                    kind = self.peaks.get(pid, (_kind(pid), 0))[0]
                    self.peaks[pid] = (kind, max(kib, self.peaks.get(pid, ("", 0))[1]))


def _descendants(roots: list[int]) -> set[int]:
    parents: dict[int, int] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            parents[int(stat.parent.name)] = int(stat.read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
    found, frontier = set(roots), list(roots)
    while frontier:
        parent = frontier.pop()
        for child, its_parent in parents.items():
            if its_parent == parent and child not in found:
                found.add(child)
                frontier.append(child)
    return found


def _high_water_kib(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def _kind(pid: int) -> str:
    """What a process is, for the memory table: `touchpoint run`, dbt, a PostgreSQL process by
    its role (a connection's backend, the checkpointer, …)."""
    try:
        words = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode().split()
    except OSError:
        return "gone"
    if not words:
        return "unknown"
    if words[0] == "postgres:":  # a server process, titled by its role
        role = " ".join(words[1:])
        if "(" in role:  # "<user> <database> <host>(<port>) <state>": a client's connection
            return "postgres: a connection"
        return "postgres: " + " ".join(role.split()[:2])
    if words[0].endswith("postgres"):
        return "postgres: postmaster"
    command = " ".join(Path(word).name for word in words[:3])
    if "touchpoint run" in command:
        return "touchpoint run (Dagster, in process)"
    if "dbt" in command:
        return "dbt"
    return Path(words[0]).name
