"""``touchpoint ui``: Dagster's webserver and daemon (``dagster dev``) as a child that stops when
we are asked to stop, by SIGINT (Ctrl-C) or SIGTERM (a service manager, ``kill``)."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

from orchestration.settings import PROJECT_ROOT

WORKSPACE = PROJECT_ROOT / "workspace.yaml"
# dagster dev gives its webserver and daemon up to 10 s each to finish before it kills them.
SHUTDOWN_GRACE_SECONDS = 25


def run_dagster_dev(host: str, port: int, env: dict[str, str]) -> int:
    """Run ``dagster dev`` from the project root until it exits or we are signalled; then stop
    it and everything it started.

    Our handlers are in place before the child starts: at exec a handled signal becomes the
    default again, whereas an ignored one stays ignored (a shell's background job ignores
    SIGINT), and ``dagster dev`` would then ignore SIGTERM as well. The child leads a process
    group of its own, so whatever it leaves behind (webserver, daemon, code server) goes with
    the group.
    """
    stop = threading.Event()
    previous = {sig: signal.signal(sig, lambda *_: stop.set()) for sig in _STOP_SIGNALS}
    try:
        child = subprocess.Popen(_command(host, port), cwd=PROJECT_ROOT, env=env, process_group=0)
        while child.poll() is None and not stop.wait(0.5):
            pass
        _stop_group(child)
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return 0 if stop.is_set() else child.returncode


_STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


def _command(host: str, port: int) -> list[str]:
    dagster = str(Path(sys.executable).with_name("dagster"))
    return [dagster, "dev", "-w", str(WORKSPACE), "-h", host, "-p", str(port)]


def _stop_group(child: subprocess.Popen) -> None:
    """Ctrl-C to the whole group, as a terminal would; what is left after the grace, killed."""
    if child.poll() is None:
        _signal_group(child.pid, signal.SIGINT)
        with contextlib.suppress(subprocess.TimeoutExpired):
            child.wait(timeout=SHUTDOWN_GRACE_SECONDS)
    _signal_group(child.pid, signal.SIGKILL)
    child.wait()


def _signal_group(group: int, sig: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(group, sig)
