"""Bench tools that are not Python packages (postfix's smtp-sink, wrk): a shell script per tool
prints its path, unpacking it from Debian's packages first when missing, or says why not."""

from __future__ import annotations

import subprocess
from pathlib import Path


class ToolMissing(RuntimeError):
    """Why a tool is not there to bench with (no apt, no network, a missing library)."""


def fetched_tool(script: Path, tools: Path, missing: type[ToolMissing]) -> Path:
    """Run ``script TOOLS_DIR``; its last line on stderr becomes ``missing``'s message."""
    fetched = subprocess.run([str(script), str(tools)], capture_output=True, text=True, check=False)
    if fetched.returncode != 0:
        lines = fetched.stderr.strip().splitlines() or [f"exit status {fetched.returncode}"]
        raise missing(lines[-1])
    return Path(fetched.stdout.strip())
