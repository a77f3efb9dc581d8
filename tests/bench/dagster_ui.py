"""``touchpoint ui`` (Dagster's webserver, daemon and code server) in a process of its own, for
benches that need the sensors and schedules to run as they do for an operator.

On leaving, the UI is asked to stop as an operator would (SIGTERM: it stops ``dagster dev``
and everything under it); whatever of its process tree is still there afterwards (a run worker,
a code server, when a start failed half-way) is killed by pid.
"""

from __future__ import annotations

import contextlib
import json
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import psutil

from tests.senders.smtp_server import free_port

TOUCHPOINT = Path(sys.executable).with_name("touchpoint")
# `touchpoint ui` gives dagster dev 25 s to stop its children before it kills them.
STOP_SECONDS = 40
LOCATIONS = (
    '{"query": "{ workspaceOrError { ... on Workspace { locationEntries { name '
    'locationOrLoadError { __typename } } } } }"}'
)


class DagsterUi:
    """``touchpoint ui`` on a free loopback port with the given environment, until the code
    location has loaded (the daemon starts with it)."""

    def __init__(self, env: dict[str, str], log: Path, start_seconds: float = 300) -> None:
        self.env = env
        self.log = log
        self.port = free_port()
        self.start_seconds = start_seconds
        self._process: subprocess.Popen | None = None

    def __enter__(self) -> DagsterUi:
        argv = [str(TOUCHPOINT), "ui", "--host", "127.0.0.1", "--port", str(self.port)]
        with self.log.open("wb") as out:
            self._process = subprocess.Popen(
                argv, stdout=out, stderr=subprocess.STDOUT, env=self.env
            )
        try:
            self._wait_until_loaded()
        except BaseException:
            self.__exit__()
            raise
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self._process is None:
            return
        tree = _process_tree(self._process.pid)
        self._process.terminate()
        try:
            self._process.wait(timeout=STOP_SECONDS)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()
        for process in tree:
            with contextlib.suppress(psutil.NoSuchProcess):
                process.kill()
        self._process = None

    def _wait_until_loaded(self) -> None:
        deadline = time.monotonic() + self.start_seconds
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise RuntimeError(f"touchpoint ui exited: {self.log.read_text()[-2000:]}")
            with contextlib.suppress(OSError, KeyError, ValueError):
                locations = loaded_locations(self.port)
                if "PythonError" in locations:
                    raise RuntimeError(f"the code location failed to load; see {self.log}")
                if locations == ["RepositoryLocation"]:
                    return
            time.sleep(1)
        raise RuntimeError(f"touchpoint ui did not load its code in {self.start_seconds:.0f} s")


def loaded_locations(port: int) -> list[str]:
    """What the UI on ``port`` says of each code location: ``RepositoryLocation`` once loaded,
    ``PythonError`` if it failed."""
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/graphql",
        data=LOCATIONS.encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        entries = json.load(response)["data"]["workspaceOrError"]["locationEntries"]
    return [entry["locationOrLoadError"]["__typename"] for entry in entries]


def _process_tree(pid: int) -> list[psutil.Process]:
    """The process's descendants, as they are now (the process itself is not among them)."""
    try:
        return psutil.Process(pid).children(recursive=True)
    except psutil.NoSuchProcess:
        return []
