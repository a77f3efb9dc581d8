"""`touchpoint run` as an operator runs it, against a real SMTP server that wants a login: a
refused login fails the run with the server's words, and a later run sends what waited. The
customers' addresses are masked unless `--show-contacts` is given.

Each step is the installed command in a process of its own, with the settings in its
environment; the customers live where it is early afternoon now, so their send window is open.
"""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import psycopg
import pytest
from aiosmtpd.controller import Controller

from models.landing import CRM_VEHICLES
from tests.assets.landing_files import csv_text, customer, customers_csv, vehicle, write
from tests.assets.outbox_seed import add_message, early_afternoon_zone
from tests.senders.smtp_server import SMTP_PASSWORD, Mailbox, authenticator, free_port
from warehouse.messaging_schema import migrate_messaging

ROOT = Path(__file__).resolve().parents[2]
TOUCHPOINT = Path(sys.executable).with_name("touchpoint")
CUSTOMERS = ("NEW1", "NEW2")
# The login goes over plain SMTP on loopback: aiosmtpd warns that real servers should want TLS.
pytestmark = pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")


@pytest.fixture(scope="module")
def smtp_server():
    mailbox, port = Mailbox(), free_port()
    controller = Controller(
        mailbox,
        hostname="127.0.0.1",
        port=port,
        auth_required=True,
        auth_require_tls=False,
        authenticator=authenticator,
    )
    controller.start()
    yield mailbox, port
    controller.stop()


@pytest.fixture(scope="module")
def environment(pg_server, dbt_manifest, smtp_server, tmp_path_factory) -> dict[str, str]:
    """Two customers who took delivery of a car yesterday: two welcome mails are due."""
    now = datetime.now(UTC)
    zone = early_afternoon_zone(now)
    yesterday = now.astimezone(ZoneInfo(zone)).date() - timedelta(days=1)
    landing = tmp_path_factory.mktemp("landing")
    local = {"timezone": zone, "language": "en", "country": ""}
    write(
        landing,
        "crm/customers/customers.csv",
        customers_csv(*(customer(c, **local) for c in CUSTOMERS)),
    )
    vehicles = [vehicle(f"V{i}", c, yesterday) for i, c in enumerate(CUSTOMERS)]
    write(landing, "crm/vehicles/vehicles.csv", csv_text(CRM_VEHICLES, vehicles))
    with psycopg.connect(pg_server.url("postgres"), autocommit=True) as conn:
        conn.execute("drop database if exists e2e_run_command with (force)")
        conn.execute("create database e2e_run_command")
    url = pg_server.url("e2e_run_command")
    migrate_messaging(url)
    with psycopg.connect(url, autocommit=True) as conn:
        leave_a_message_in_doubt(conn)
    return os.environ | {
        "TOUCHPOINT_HOME": str(tmp_path_factory.mktemp("home")),
        "TOUCHPOINT_DATABASE_URL": url,
        "TOUCHPOINT_LANDING": str(landing),
        "TOUCHPOINT_EMAIL_SENDER": "smtp",
        "TOUCHPOINT_SMS_SENDER": "file",
        "TOUCHPOINT_SMTP_URL": f"smtp://mailer:wrong@127.0.0.1:{smtp_server[1]}",
    }


def leave_a_message_in_doubt(conn) -> None:
    """An earlier dispatcher died mid-send to u20@example.com: every summary lists it."""
    message_id = add_message(conn, 20)
    conn.execute(
        "update messaging.outbox set status = 'in_doubt', last_error = 'the worker stopped' "
        "where message_id = %s",
        (message_id,),
    )


def touchpoint_run(environment: dict[str, str], *options: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(TOUCHPOINT), "run", *options],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=600,
    )


def pass_the_back_off(environment: dict[str, str]) -> None:
    """As if the retries' back-off had passed."""
    with psycopg.connect(environment["TOUCHPOINT_DATABASE_URL"], autocommit=True) as conn:
        conn.execute("update messaging.outbox set send_after = now() where status = 'queued'")


@pytest.fixture(scope="module")
def runs(environment, smtp_server):
    """The login refused; then, with the right password, a run that sends what waited."""
    refused = touchpoint_run(environment)
    fixed = environment | {
        "TOUCHPOINT_SMTP_URL": f"smtp://mailer:{SMTP_PASSWORD}@127.0.0.1:{smtp_server[1]}"
    }
    pass_the_back_off(environment)
    shown = touchpoint_run(fixed, "--show-contacts")
    return refused, shown


def test_a_run_whose_every_send_was_refused_at_login_fails_and_says_why(runs, smtp_server):
    refused, _ = runs
    port = smtp_server[1]
    why = (
        "nothing was sent although 2 messages were due: 2 retrying after an error "
        f"(smtp://127.0.0.1:{port}: cannot connect: (535, b'5.7.8 Authentication credentials "
        "invalid')); every send this run attempted failed (2)"
    )

    assert refused.returncode == 1, refused.stderr
    assert why in refused.stdout
    assert "touchpoint run FAILED" in refused.stderr and why in refused.stderr
    assert "succeeded" not in refused.stdout


def test_contacts_are_masked_by_default(runs):
    refused, _ = runs

    assert "birthday → u***@example.com: the worker stopped" in refused.stdout
    assert "u20@example.com" not in refused.stdout + refused.stderr


def test_a_later_run_sends_what_waited_and_show_contacts_prints_the_addresses(runs, smtp_server):
    _, shown = runs
    mailbox, _ = smtp_server

    assert shown.returncode == 0, shown.stderr
    assert sorted(r for mail in mailbox.received for r in mail.recipients) == [
        "new1@example.com",
        "new2@example.com",
    ]
    assert "to new1@example.com (en)" in shown.stdout
    assert "to new2@example.com (en)" in shown.stdout
    assert "birthday → u20@example.com: the worker stopped" in shown.stdout
    assert "touchpoint run succeeded" in shown.stdout
