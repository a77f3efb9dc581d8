"""wrk, the HTTP load generator, driving a list of URLs for a fixed time.

wrk is C with an event loop per thread, so one thread keeps dozens of connections busy for a
sliver of a core: on a 2-core machine the service and its database keep the rest.
``tests/bench/wrk.sh`` finds it on PATH or fetches it from Debian (unpacked, not installed);
``wrk_rotate.lua`` sends the URLs in turn and reports what ``LoadResult`` holds.
"""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from tests.bench.fetched_tools import ToolMissing, fetched_tool

FETCH_SCRIPT = Path(__file__).with_name("wrk.sh")
ROTATE_SCRIPT = Path(__file__).with_name("wrk_rotate.lua")
_REPORT = re.compile(r"^bench: (.*)$", re.MULTILINE)


class WrkMissing(ToolMissing):
    """Why there is no wrk to load the service with (no apt, no network, a missing library)."""


def wrk_binary(tools: Path) -> Path:
    """wrk from PATH, or a wrapper running the one under ``tools``, fetched first if missing."""
    return fetched_tool(FETCH_SCRIPT, tools, WrkMissing)


@dataclass(frozen=True)
class LoadResult:
    """One wrk run. ``requests`` were answered; ``sent`` includes those in flight at the stop."""

    connections: int
    seconds: float
    requests: int
    sent: int
    p50_ms: float
    p99_ms: float
    max_ms: float
    refused: int  # answered with a status above 399
    socket_errors: int

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds

    @property
    def answered_ok(self) -> int:
        return self.requests - self.refused


def run_wrk(
    binary: Path, urls: list[str], connections: int, seconds: int, work_dir: Path
) -> LoadResult:
    """Load the service the URLs point at (one host) with ``connections`` for ``seconds``."""
    paths = work_dir / "wrk-paths.txt"
    paths.write_text("".join(_path_of(url) + "\n" for url in urls), encoding="utf-8")
    threads = 1
    argv = [str(binary), f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s"]
    argv += ["-s", str(ROTATE_SCRIPT), _origin_of(urls[0]), "--", str(paths), str(threads)]
    ran = subprocess.run(argv, capture_output=True, text=True, check=False)
    report = _REPORT.search(ran.stdout)
    if ran.returncode != 0 or report is None:
        raise RuntimeError(f"wrk failed (exit {ran.returncode}): {ran.stderr.strip()}")
    return _load_result(connections, dict(field.split("=") for field in report[1].split()))


def _load_result(connections: int, fields: dict[str, str]) -> LoadResult:
    count = {name: int(value) for name, value in fields.items()}
    return LoadResult(
        connections=connections,
        seconds=count["duration_us"] / 1e6,
        requests=count["requests"],
        sent=count["sent"],
        p50_ms=count["p50_us"] / 1e3,
        p99_ms=count["p99_us"] / 1e3,
        max_ms=count["max_us"] / 1e3,
        refused=count["status"],
        socket_errors=sum(count[name] for name in ("connect", "read", "write", "timeout")),
    )


def _origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def _path_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}" if parts.query else parts.path
