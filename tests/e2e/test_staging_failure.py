"""A row that passed the ingest rules but that PostgreSQL refuses in staging (a model year past
the integer range) breaks the vehicle models only: `touchpoint run` still sends the birthday
mail, names the broken model and the database's error, exits non-zero, and the next run does
the same (nothing left stuck).

The row goes straight into raw, as ingest rules catch such values on the way in; this is the
defence behind them. Run through the real command in its own process, at the present instant
(dispatch sends by the wall clock), with the local mailbox and the file SMS outbox.
"""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from email import policy
from email.parser import BytesParser
from pathlib import Path
from zoneinfo import ZoneInfo

import psycopg
import pytest

from models.landing import CRM_VEHICLES
from tests.assets.landing_files import csv_text, customer, customers_csv, vehicle, write
from tests.assets.outbox_seed import early_afternoon_zone

ROOT = Path(__file__).resolve().parents[2]
BAD_MODEL_YEAR = "99999999999"


def touchpoint_run(env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(Path(sys.executable).with_name("touchpoint")), "run"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )


@pytest.fixture(scope="module")
def runs(pg_server, dbt_manifest, tmp_path_factory):
    from assets.raw_schema import ensure_raw_schema

    now = datetime.now(UTC)
    zone = early_afternoon_zone(now)
    today = now.astimezone(ZoneInfo(zone)).date()
    local = {"timezone": zone, "language": "en", "country": ""}
    landing, home = tmp_path_factory.mktemp("landing"), tmp_path_factory.mktemp("home")
    write(
        landing,
        "crm/customers/customers.csv",
        customers_csv(
            customer("BD1", birth_date=f"1988-{today:%m-%d}", **local),  # turns 38 today
            customer("NEW1", **local),  # took delivery yesterday: a welcome, were vehicles sound
        ),
    )
    write(
        landing,
        "crm/vehicles/vehicles.csv",
        csv_text(CRM_VEHICLES, [vehicle("V1", "NEW1", today - timedelta(days=1))]),
    )
    url = pg_server.url("e2e_staging_failure")
    with psycopg.connect(pg_server.url("postgres"), autocommit=True) as conn:
        conn.execute("drop database if exists e2e_staging_failure with (force)")
        conn.execute("create database e2e_staging_failure")
    with psycopg.connect(url, autocommit=True) as conn:
        ensure_raw_schema(conn)
        conn.execute(
            "insert into raw.crm_vehicles (vehicle_id, customer_id, make, model, model_year, "
            "delivered_at, service_interval_months, _source, _row_number) "
            "values ('V2', 'NEW1', 'Renault', 'Zoe', %s, %s, '12', 'by hand', 1)",
            (BAD_MODEL_YEAR, str(today - timedelta(days=1))),
        )
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("TOUCHPOINT_")},
        "TOUCHPOINT_HOME": str(home),
        "TOUCHPOINT_DATABASE_URL": url,
        "TOUCHPOINT_LANDING": str(landing),
        "TOUCHPOINT_EMAIL_SENDER": "smtp",
        "TOUCHPOINT_SMS_SENDER": "file",
        "TOUCHPOINT_TRACKING_URL": "https://t.shop.example",
    }
    first = touchpoint_run(env)
    second = touchpoint_run(env)
    with psycopg.connect(url, autocommit=True) as conn:
        yield conn, home / "mailbox", first, second


def test_the_birthday_mail_is_sent_although_the_vehicle_models_fail(runs):
    _, mailbox, first, _ = runs

    [eml] = list(mailbox.glob("*.eml"))
    mail = BytesParser(policy=policy.default).parsebytes(eml.read_bytes())
    assert mail["X-Touchpoint-Campaign"] == "birthday", first.stdout + first.stderr
    assert mail["To"] == "bd1@example.com"


def test_the_vehicle_campaigns_are_not_judged_on_models_that_were_not_built(runs):
    conn, _, _, _ = runs

    judged = conn.execute("select campaign, customer_id from messaging.occurrences").fetchall()

    assert judged == [("birthday", "BD1")]


def test_the_run_fails_naming_the_model_and_the_database_error(runs):
    _, _, first, _ = runs

    assert first.returncode == 1
    assert "touchpoint run FAILED" in first.stderr
    assert "step datamart failed: dbt build failed for" in first.stderr
    assert "model dim_vehicles: Database Error" in first.stderr
    assert "integer out of range" in first.stderr
    assert "\n  trg_vehicle_welcome\n" in first.stderr  # not built this run because of it
    assert "carrying on" in first.stdout and "campaigns/birthday" in first.stdout


def test_the_next_run_fails_the_same_way_and_sends_nothing_twice(runs):
    conn, mailbox, first, second = runs

    assert second.returncode == 1
    assert "integer out of range" in second.stderr
    assert "campaigns/birthday" in second.stdout  # judged again, nothing new to send
    assert len(list(mailbox.glob("*.eml"))) == 1
    sent = conn.execute("select count(*) from messaging.outbox where status = 'sent'").fetchone()
    assert sent == (1,)
