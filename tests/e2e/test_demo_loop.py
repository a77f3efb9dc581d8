"""The loop `make demo` shows, on a small data set: generate, the daily job, the recipients
reacting through `touchpoint serve` (`touchpoint simulate-reactions`: open pixels, signed clicks,
survey scores and a STOP over the signed inbound-SMS webhook, orders with vouchers and by
held-out customers in the landing zone), then the daily job two days later, whose report and
summary show it all.

The service and the simulation are the installed commands in processes of their own (the
service is reached only over HTTP); the two runs are the daily job in process, as
`touchpoint run` executes it (its command line is tested in test_run_command). The customers
cast in scenarios live where it is daytime (synthetic.people), so this passes at any hour.
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
from dagster import DagsterInstance

from models.as_of import as_of_tags
from orchestration.summary import run_summary, server_now
from synthetic.landing import generate_landing
from tests.senders.smtp_server import free_port

ROOT = Path(__file__).resolve().parents[2]
TOUCHPOINT = Path(sys.executable).with_name("touchpoint")
CUSTOMERS = 200
SEED = 7
# What the links in the mails name; the service listens elsewhere, as behind a proxy.
PUBLIC_TRACKING_URL = "http://127.0.0.1:8000"


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
def demo(pg_server, dbt_manifest, tmp_path_factory):
    """The settings of one demo: its own datamart, home (where the secret is made), landing."""
    from orchestration.settings import load_settings

    with psycopg.connect(pg_server.url("postgres"), autocommit=True) as conn:
        conn.execute("drop database if exists e2e_demo_loop with (force)")
        conn.execute("create database e2e_demo_loop")
    settings = load_settings().model_copy(
        update=dict(
            database_url=pg_server.url("e2e_demo_loop"),
            home=tmp_path_factory.mktemp("home"),
            landing=str(tmp_path_factory.mktemp("landing")),
            smtp_url=None,
            email_sender="smtp",
            sms_sender="file",
            tracking_url=PUBLIC_TRACKING_URL,
            secret=None,
        )
    )
    inherited = {k: v for k, v in os.environ.items() if not k.startswith("TOUCHPOINT_")}
    environment = inherited | {
        "TOUCHPOINT_HOME": str(settings.home),
        "TOUCHPOINT_DATABASE_URL": settings.database_url,
        "TOUCHPOINT_LANDING": settings.landing,
        "TOUCHPOINT_TRACKING_URL": PUBLIC_TRACKING_URL,
    }
    return settings, environment


@pytest.fixture(scope="module")
def loop(demo) -> tuple[str, str]:
    """The demo's steps; the output of simulate-reactions, and the later run's summary."""
    from orchestration.definitions import build_definitions
    from orchestration.jobs import DAILY_JOB

    settings, environment = demo
    job = build_definitions(settings).resolve_job_def(DAILY_JOB.name)
    instance = DagsterInstance.ephemeral()

    def run(as_of: datetime) -> None:
        assert job.execute_in_process(instance=instance, tags=as_of_tags(as_of)).success

    now = datetime.now(UTC).replace(microsecond=0)
    generate_landing(Path(settings.landing), CUSTOMERS, SEED, now)
    port = free_port()
    with (settings.home / "serve.log").open("w") as log:
        # Started first: it comes up while the first run works.
        serve = subprocess.Popen(
            [str(TOUCHPOINT), "serve", "--port", str(port)],
            cwd=ROOT,
            env=environment,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            run(now)
            later = now + timedelta(days=2)
            reactions = touchpoint(
                environment, "simulate-reactions", "--as-of", later.isoformat(),
                "--tracking-url", f"http://127.0.0.1:{port}", "--seed", str(SEED),
            )  # fmt: skip
        finally:
            serve.terminate()
            serve.wait(timeout=30)
    since = server_now(settings.database_url)
    run(later)
    return reactions, run_summary(settings.database_url, since).text


def performance(database_url: str) -> dict[str, dict]:
    with psycopg.connect(database_url) as conn:
        cursor = conn.execute("select * from reports.rpt_campaign_performance")
        names = [column.name for column in cursor.description]
        return {row[0]: dict(zip(names, row, strict=True)) for row in cursor}


def total(rows: dict[str, dict], column: str) -> int:
    return sum(row[column] for row in rows.values())


def test_the_recipients_react_through_the_service_and_the_landing_zone(loop, demo):
    reactions, _ = loop
    settings, _ = demo

    assert "Reactions by" in reactions
    landed = [line.split("landed: ")[1] for line in reactions.splitlines() if "landed: " in line]
    assert landed and all(Path(path).is_file() for path in landed)
    assert all(path.startswith(settings.landing) for path in landed)


def test_the_later_report_shows_opens_clicks_conversions_lift_and_an_nps(loop, demo):
    _, summary = loop
    rows = performance(demo[0].database_url)

    assert 0 < total(rows, "clicked") < total(rows, "opened") < total(rows, "sent")
    assert 0 < total(rows, "converted") < total(rows, "sent") / 4
    assert total(rows, "voucher_redemptions") > 0
    assert total(rows, "unsubscribed") > 0  # the STOP
    assert total(rows, "holdout_converted") > 0  # held-out customers buy too
    assert any(row["lift"] is not None for row in rows.values())
    survey = rows["satisfaction_survey"]
    assert survey["nps_answers"] > 0 and -100 <= survey["nps"] <= 100

    report = summary[summary.index("Campaign performance as of") :]
    assert re.search(r"Lift over the holdout, weighted by messages sent: [+-]\d", report)
    [survey_line] = [line for line in report.splitlines() if "  satisfaction_survey " in line]
    assert not survey_line.endswith("—")  # its NPS
