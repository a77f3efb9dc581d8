"""Postfix's ``smtp-sink`` on loopback: an SMTP server fast enough not to be what is measured.

aiosmtpd tops out near 3 k messages/s here, about what the dispatcher does, so a bench against
it would measure the server. smtp-sink is C, answers every command at once and keeps nothing.
``tests/bench/smtp_sink.sh`` fetches it from Debian's postfix package (unpacked, not installed).
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import time
from pathlib import Path

from tests.bench.fetched_tools import ToolMissing, fetched_tool
from tests.senders.smtp_server import free_port

FETCH_SCRIPT = Path(__file__).with_name("smtp_sink.sh")
_MESSAGES = re.compile(rb"mesg=(\d+)")


class SmtpSinkMissing(ToolMissing):
    """Why there is no smtp-sink to bench against (no apt, no network, a missing library)."""


def smtp_sink_binary(tools: Path) -> Path:
    """The smtp-sink under ``tools``, fetched first when missing."""
    return fetched_tool(FETCH_SCRIPT, tools, SmtpSinkMissing)


class SmtpSink:
    """One smtp-sink process on a free loopback port; counts the messages it received."""

    def __init__(self, binary: Path, log: Path) -> None:
        self.binary = binary
        self.log = log
        self.port = free_port()
        self._process: subprocess.Popen | None = None

    def __enter__(self) -> SmtpSink:
        # -c writes running counters to stdout; as root it must drop privileges (-u).
        privileges = ["-u", "nobody"] if os.geteuid() == 0 else []
        argv = [str(self.binary), "-c", *privileges, f"127.0.0.1:{self.port}", "1000"]
        env = os.environ | {"LD_LIBRARY_PATH": str(self.binary.parents[1] / "lib" / "postfix")}
        with self.log.open("wb") as out:
            self._process = subprocess.Popen(argv, stdout=out, stderr=subprocess.STDOUT, env=env)
        self._wait_until_listening()
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self._process is not None:
            self._process.terminate()
            self._process.wait(timeout=10)

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    def received(self) -> int:
        """Messages received so far (the last counter smtp-sink wrote)."""
        with self.log.open("rb") as log:
            log.seek(max(0, self.log.stat().st_size - 200))
            counts = _MESSAGES.findall(log.read())
        return int(counts[-1]) if counts else 0

    def _wait_until_listening(self) -> None:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise SmtpSinkMissing(f"smtp-sink exited: {self.log.read_text().strip()}")
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return
            except OSError:
                time.sleep(0.05)
        raise SmtpSinkMissing(f"smtp-sink did not listen on 127.0.0.1:{self.port} within 10 s")
