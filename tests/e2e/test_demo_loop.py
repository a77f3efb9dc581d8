"""The loop `make demo` shows, on a small data set: `touchpoint generate`, `run`, the recipients
reacting through `touchpoint serve` (`simulate-reactions`: open pixels, signed clicks, survey
scores and a STOP over the signed inbound-SMS webhook, orders with vouchers and by held-out
customers in the landing zone), then `run` two days later, whose report shows it all.

Every step is the installed command in a process of its own, with the settings in its
environment; the tracking service is reached only over HTTP. The customers cast in scenarios
live where it is daytime (synthetic.people), so this passes at any hour.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg
import pytest

from tests.senders.smtp_server import free_port

ROOT = Path(__file__).resolve().parents[2]
TOUCHPOINT = Path(sys.executable).with_name("touchpoint")
CUSTOMERS = 200
SEED = 7


def touchpoint(environment: dict[str, str], *arguments: str) -> str:
    """Run a command to its end; its output, after checking it succeeded."""
    done = subprocess.run(
        [str(TOUCHPOINT), *arguments],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return done.stdout


@pytest.fixture(scope="module")
def environment(pg_server, dbt_manifest, tmp_path_factory) -> dict[str, str]:
    with psycopg.connect(pg_server.url("postgres"), autocommit=True) as conn:
        conn.execute("drop database if exists e2e_demo_loop with (force)")
        conn.execute("create database e2e_demo_loop")
    inherited = {k: v for k, v in os.environ.items() if not k.startswith("TOUCHPOINT_")}
    return inherited | {
        "TOUCHPOINT_HOME": str(tmp_path_factory.mktemp("home")),  # the secret is made there
        "TOUCHPOINT_DATABASE_URL": pg_server.url("e2e_demo_loop"),
        "TOUCHPOINT_LANDING": str(tmp_path_factory.mktemp("landing")),
        # What the links in the mails name; the service listens elsewhere, as behind a proxy.
        "TOUCHPOINT_TRACKING_URL": "http://127.0.0.1:8000",
    }


@pytest.fixture(scope="module")
def loop(environment) -> tuple[str, str]:
    """The demo's steps; the output of simulate-reactions and of the later run."""
    touchpoint(environment, "generate", "--out", environment["TOUCHPOINT_LANDING"],
               "--customers", str(CUSTOMERS), "--seed", str(SEED))  # fmt: skip
    port = free_port()
    log = Path(environment["TOUCHPOINT_HOME"]) / "serve.log"
    with log.open("w") as output:
        # Started first: it comes up while the first run works.
        serve = subprocess.Popen(
            [str(TOUCHPOINT), "serve", "--port", str(port)],
            cwd=ROOT,
            env=environment,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
        try:
            touchpoint(environment, "run")
            later = (datetime.now(UTC) + timedelta(days=2)).isoformat(timespec="seconds")
            reactions = touchpoint(
                environment, "simulate-reactions", "--as-of", later,
                "--tracking-url", f"http://127.0.0.1:{port}", "--seed", str(SEED),
            )  # fmt: skip
        finally:
            serve.terminate()
            serve.wait(timeout=30)
    return reactions, touchpoint(environment, "run", "--as-of", later)


def performance(environment) -> dict[str, dict]:
    with psycopg.connect(environment["TOUCHPOINT_DATABASE_URL"]) as conn:
        cursor = conn.execute("select * from reports.rpt_campaign_performance")
        names = [column.name for column in cursor.description]
        return {row[0]: dict(zip(names, row, strict=True)) for row in cursor}


def total(rows: dict[str, dict], column: str) -> int:
    return sum(row[column] for row in rows.values())


def test_the_recipients_react_through_the_service_and_the_landing_zone(loop, environment):
    reactions, _ = loop

    assert "Reactions by" in reactions
    landed = [line.split("landed: ")[1] for line in reactions.splitlines() if "landed: " in line]
    assert landed and all(Path(path).is_file() for path in landed)
    assert all(path.startswith(environment["TOUCHPOINT_LANDING"]) for path in landed)


def test_the_later_report_shows_opens_clicks_conversions_lift_and_an_nps(loop, environment):
    _, later_run = loop
    rows = performance(environment)

    assert 0 < total(rows, "clicked") < total(rows, "opened") < total(rows, "sent")
    assert 0 < total(rows, "converted") < total(rows, "sent") / 4
    assert total(rows, "voucher_redemptions") > 0
    assert total(rows, "unsubscribed") > 0  # the STOP
    assert total(rows, "holdout_converted") > 0  # held-out customers buy too
    assert any(row["lift"] is not None for row in rows.values())
    survey = rows["satisfaction_survey"]
    assert survey["nps_answers"] > 0 and -100 <= survey["nps"] <= 100

    assert "Campaign performance as of" in later_run
    assert re.search(r"Lift over the holdout, weighted by messages sent: [+-]\d", later_run)
    [survey_line] = [line for line in later_run.splitlines() if "  satisfaction_survey " in line]
    assert not survey_line.endswith("—")  # its NPS
