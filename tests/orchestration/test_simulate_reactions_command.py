"""`touchpoint simulate-reactions` refuses, before it touches anything, what cannot work: the
whole loop it drives is tests/e2e/test_demo_loop.py."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

TOUCHPOINT = Path(sys.executable).with_name("touchpoint")


@pytest.mark.parametrize(
    ("arguments", "settings", "why"),
    [
        (["--as-of", "2020-01-01T00:00:00Z"], {"TOUCHPOINT_TRACKING_URL": "http://127.0.0.1:8000"},
         "--as-of must be later than now"),
        (["--as-of", "2999-01-01T00:00:00Z"], {},
         "no tracking service to react through: --tracking-url or TOUCHPOINT_TRACKING_URL"),
        (["--as-of", "2999-01-01T00:00:00Z", "--tracking-url", "http://127.0.0.1:8000"],
         {"TOUCHPOINT_LANDING": "s3://bucket/landing"}, "orders are written to a folder: --out"),
    ],
)  # fmt: skip
def test_what_cannot_work_is_refused_with_the_reason(tmp_path, arguments, settings, why):
    inherited = {k: v for k, v in os.environ.items() if not k.startswith("TOUCHPOINT_")}
    environment = inherited | {"TOUCHPOINT_HOME": str(tmp_path), **settings}

    done = subprocess.run(
        [str(TOUCHPOINT), "simulate-reactions", *arguments],
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert done.returncode == 2
    assert why in done.stderr
    assert not (tmp_path / "secret").exists()  # refused before anything was read or made
