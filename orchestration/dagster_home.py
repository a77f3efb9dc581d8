"""Dagster's home under ``$TOUCHPOINT_HOME/dagster``: storage, telemetry off, runs launched as they
are submitted, no welcome dialog."""

from __future__ import annotations

import os
from pathlib import Path

from orchestration.settings import Settings

DAGSTER_YAML = """# Written by touchpoint. Storage defaults to SQLite files in this folder.
telemetry:
  enabled: false
# A run a sensor or schedule creates is launched at once by the process that created it, rather
# than queued until the daemon next looks at the queue (up to a second, then the launch): part of
# the time between a web event and its message. Dagster's queue is for limits on concurrent
# runs, and touchpoint sets none; put run_queue settings back (with the QueuedRunCoordinator) to
# have some.
run_coordinator:
  module: dagster._core.run_coordinator
  class: DefaultRunCoordinator
"""
# What earlier versions wrote: replaced by the above while nobody has edited it.
_EARLIER_DAGSTER_YAML = (
    """# Written by touchpoint. Storage defaults to SQLite files in this folder.
telemetry:
  enabled: false
# A run a sensor or schedule creates waits in the queue until the daemon next looks (every 5 s
# by default): seconds between a web event and its message.
run_queue:
  dequeue_interval_seconds: 1
""",
    """# Written by touchpoint. Storage defaults to SQLite files in this folder.
telemetry:
  enabled: false
""",
)


def prepare_process_environment(settings: Settings) -> Path:
    """Point Dagster at its home and keep dbt, GX and Dagster from calling home."""
    home = settings.dagster_home
    home.mkdir(parents=True, exist_ok=True)
    config = home / "dagster.yaml"
    if not config.exists() or config.read_text() in _EARLIER_DAGSTER_YAML:
        config.write_text(DAGSTER_YAML)
    nux = home / ".nux" / "nux.yaml"
    if not nux.exists():
        nux.parent.mkdir(exist_ok=True)
        nux.write_text("seen: 1\n")
    os.environ["DAGSTER_HOME"] = str(home)
    os.environ.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("DAGSTER_DISABLE_TELEMETRY", "1")
    os.environ.setdefault("XDG_RUNTIME_DIR", str(settings.home / "runtime"))
    Path(os.environ["XDG_RUNTIME_DIR"]).mkdir(parents=True, exist_ok=True, mode=0o700)
    return home
