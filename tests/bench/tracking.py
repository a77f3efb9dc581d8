"""Tracking-service figures: the open pixel and the click redirect under wrk.

The real ``touchpoint serve`` runs in its own process (with 1 uvicorn worker, then with
``--workers 2``) on a fresh database whose outbox holds the messages the links name; wrk sends their
signed links in turn from a fixed number of connections for a fixed time. Then the service is
stopped, which lets it finish what was in flight, and the ``opened`` and ``clicked`` rows in
``messaging.message_events`` are counted: the service writes before it answers, so every
request answered 2xx/3xx must have its row. Requests wrk sent but stopped waiting for may have
landed too; they are shown apart.
"""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import psycopg

from models.tracking import TrackingLinks
from orchestration.embedded_postgres import EmbeddedPostgres
from tests.bench.dispatch import outbox_database
from tests.bench.wrk import LoadResult, WrkMissing, run_wrk, wrk_binary
from tests.senders.smtp_server import free_port
from tracking.service import ServiceConfig

CLICK_TARGET = "https://shop.example/new?utm_campaign=birthday&utm_content=hero&n={n}"


def bench_tracking(
    server: EmbeddedPostgres,
    tools: Path,
    work_dir: Path,
    messages: int,
    connections: int,
    seconds: int,
) -> None:
    try:
        wrk = wrk_binary(tools)
    except WrkMissing as missing:
        print(f"tracking service: no figure, wrk (the load generator) is not available: {missing}")
        return
    for workers in (1, 2):
        url = outbox_database(server, messages, "email", name=f"bench_tracking_{workers}")
        secret = secrets.token_urlsafe(32)
        log = work_dir / "tracking-service.log"
        with TrackingService(url, secret, log, workers) as service:
            links = TrackingLinks(service.base_url, secret)
            ids = message_ids(url)
            opens = [links.open_pixel(message_id) for message_id in ids]
            clicks = [links.click(i, CLICK_TARGET.format(n=n)) for n, i in enumerate(ids)]
            opened = run_wrk(wrk, opens, connections, seconds, work_dir)
            clicked = run_wrk(wrk, clicks, connections, seconds, work_dir)
        landed = landed_events(url)
        pool = ServiceConfig(database_url=url, secret=secret, from_email="").pool_size
        print(
            f"tracking service (touchpoint serve --workers {workers}, {pool} database connections"
            f" each) under wrk: {connections} connections, {seconds} s per route, "
            f"{messages:,} messages"
        )
        _print_load("open pixel", opened)
        _print_load("click redirect", clicked)
        _print_landed("open pixel", "opened", opened, landed.get("opened", 0))
        _print_landed("click redirect", "clicked", clicked, landed.get("clicked", 0))


def message_ids(url: str) -> list[str]:
    with psycopg.connect(url) as conn:
        rows = conn.execute("select message_id from messaging.outbox order by message_id")
        return [str(message_id) for (message_id,) in rows]


def landed_events(url: str) -> dict[str, int]:
    with psycopg.connect(url) as conn:
        rows = conn.execute("select type, count(*) from messaging.message_events group by type")
        return dict(rows.fetchall())


class TrackingService:
    """``touchpoint serve`` on a free loopback port of its own, in its own process."""

    def __init__(self, database_url: str, secret: str, log: Path, workers: int = 1) -> None:
        self.port = free_port()
        self.workers = workers
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.log = log
        self._settings = {
            "TOUCHPOINT_DATABASE_URL": database_url,
            "TOUCHPOINT_SECRET": secret,
            "TOUCHPOINT_TRACKING_URL": self.base_url,
            "TOUCHPOINT_HOME": str(log.parent / "tracking-home"),
        }
        self._process: subprocess.Popen | None = None

    def __enter__(self) -> TrackingService:
        command = str(Path(sys.executable).with_name("touchpoint"))
        argv = [command, "serve", "--host", "127.0.0.1", "--port", str(self.port)]
        argv += ["--workers", str(self.workers)]
        with self.log.open("wb") as out:
            self._process = subprocess.Popen(
                argv, stdout=out, stderr=subprocess.STDOUT, env=os.environ | self._settings
            )
        try:
            self._wait_until_healthy()
        except BaseException:
            self.__exit__()
            raise
        return self

    def __exit__(self, *exc_info: object) -> None:
        """SIGTERM: uvicorn stops accepting, finishes the requests in flight, then exits."""
        if self._process is not None:
            self._process.terminate()
            try:
                self._process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()

    def _wait_until_healthy(self) -> None:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise RuntimeError(f"touchpoint serve exited: {self.log.read_text().strip()}")
            try:
                with urllib.request.urlopen(f"{self.base_url}/health", timeout=1) as answer:
                    if answer.status == 200:
                        return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError(f"touchpoint serve did not answer /health on {self.base_url} in 30 s")


def _print_load(route: str, load: LoadResult) -> None:
    print(
        f"  {route:<15}: {load.per_second:>7,.0f} requests/s  p50 {load.p50_ms:5.1f} ms  "
        f"p99 {load.p99_ms:5.1f} ms  max {load.max_ms:5.0f} ms  ({load.requests:,} in "
        f"{load.seconds:.1f} s; non-2xx/3xx {load.refused:,}, socket errors "
        f"{load.socket_errors:,})"
    )


def _print_landed(route: str, event_type: str, load: LoadResult, landed: int) -> None:
    """Landed rows against the requests answered 2xx/3xx; the requests wrk had begun but not
    seen answered when it stopped (``sent - requests``) may add as many more."""
    answered, in_flight = load.answered_ok, load.sent - load.requests
    line = f"  {route:<15}: landed {landed:,} of {answered:,} requests ({event_type} rows)"
    if landed < answered:
        line += f"; {answered - landed:,} MISSING: answered without a row"
    elif landed > answered + in_flight:
        line += f"; {landed - answered - in_flight:,} more rows than requests sent"
    elif landed > answered:
        line += f", + {landed - answered:,} of the {in_flight:,} wrk had begun when it stopped"
    else:
        line += ": all landed"
    print(line)
