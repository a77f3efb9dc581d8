"""The whole daily job at the present instant: landing files → datamart → campaigns → dispatch,
with the default senders — email over real SMTP to the local mailbox server, SMS to files —
under a home of the test's own.

Sending goes by the wall clock, so the customers live in a zone where it is early afternoon now:
their send window is open whenever the test runs.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from email import policy
from email.parser import BytesParser
from zoneinfo import ZoneInfo

import psycopg
import pytest
from dagster import AssetKey, DagsterInstance

from models.landing import CRM_VEHICLES
from tests.assets.landing_files import csv_text, customer, customers_csv, vehicle, write
from tests.assets.outbox_seed import early_afternoon_zone


@pytest.fixture(scope="module")
def sent(pg_server, dbt_manifest, tmp_path_factory):
    from models.as_of import as_of_tags
    from orchestration.definitions import build_definitions
    from orchestration.jobs import DAILY_JOB
    from orchestration.settings import load_settings

    now = datetime.now(UTC).replace(microsecond=0)
    zone = early_afternoon_zone(now)
    today = now.astimezone(ZoneInfo(zone)).date()
    local = {"timezone": zone, "language": "en", "country": ""}
    landing, home = tmp_path_factory.mktemp("landing"), tmp_path_factory.mktemp("home")
    write(
        landing,
        "crm/customers/customers.csv",
        customers_csv(
            customer("NEW1", **local),  # took delivery yesterday: a welcome mail
            customer("NOC1", email_opt_in="false", **local),  # same, without consent
            # took delivery a week ago: a satisfaction survey by SMS
            customer("SUR1", phone="+6591234567", sms_opt_in="true", **local),
        ),
    )
    write(
        landing,
        "crm/vehicles/vehicles.csv",
        csv_text(
            CRM_VEHICLES,
            [
                vehicle("V1", "NEW1", today - timedelta(days=1)),
                vehicle("V2", "NOC1", today - timedelta(days=1)),
                vehicle("V3", "SUR1", today - timedelta(days=7)),
            ],
        ),
    )
    url = pg_server.url("e2e_dispatch")
    with psycopg.connect(pg_server.url("postgres"), autocommit=True) as conn:
        conn.execute("drop database if exists e2e_dispatch with (force)")
        conn.execute("create database e2e_dispatch")
    settings = load_settings().model_copy(
        update=dict(
            database_url=url,
            landing=str(landing),
            home=home,
            smtp_url=None,
            email_sender="smtp",
            sms_sender="file",
            tracking_url="https://t.shop.example",
        )
    )
    job = build_definitions(settings).resolve_job_def(DAILY_JOB.name)
    instance = DagsterInstance.ephemeral()

    def run():
        result = job.execute_in_process(tags=as_of_tags(now), instance=instance)
        assert result.success
        return result

    first = run()
    with psycopg.connect(url, autocommit=True) as conn:
        yield conn, settings, first, run


def dispatch_metadata(result, channel: str) -> dict:
    [event] = [
        e
        for e in result.get_asset_materialization_events()
        if e.asset_key == AssetKey(["dispatch", channel])
    ]
    return {k: v.value for k, v in event.materialization.metadata.items()}


def test_the_welcome_mail_arrives_in_the_local_mailbox_with_its_headers(sent):
    conn, settings, _, _ = sent
    message_id, status, composed = conn.execute(
        "select message_id, status, composed_mail from messaging.outbox where customer_id = 'NEW1'"
    ).fetchone()

    [eml] = [p for p in settings.mailbox_dir.iterdir()]
    mail = BytesParser(policy=policy.default).parsebytes(eml.read_bytes())
    assert status == "sent"
    assert eml.name == f"{message_id}.eml"
    assert mail["To"] == "new1@example.com"
    assert "Renault Clio" in mail["Subject"]
    assert mail["X-Touchpoint-Campaign"] == "vehicle_welcome"
    assert mail["X-Touchpoint-Message-Id"] == str(message_id)
    assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "https://t.shop.example/u/" in mail["List-Unsubscribe"]
    assert mail.get_body(("plain",)) is not None and mail.get_body(("html",)) is not None
    # composed when rendered: from its Message-ID on, what arrived is the stored mail
    stored = composed.replace(b"\r\n", b"\n").split(b"\nMessage-ID: ", 1)[1]
    assert eml.read_bytes().replace(b"\r\n", b"\n").endswith(stored)


def test_the_survey_sms_is_written_with_its_campaign_and_message_id(sent):
    conn, settings, _, _ = sent
    [message_id] = conn.execute(
        "select message_id from messaging.outbox where customer_id = 'SUR1' and channel = 'sms'"
    ).fetchone()

    record = json.loads((settings.file_outbox_dir / f"{message_id}.json").read_text())
    assert record["X-Touchpoint-Campaign"] == "satisfaction_survey"
    assert record["to"] == "+6591234567"
    assert "10" in record["text"]


def test_every_occurrence_ends_in_one_recorded_outcome(sent):
    conn, _, first, _ = sent
    outcomes = dict(
        conn.execute(
            "select customer_id || '/' || campaign, outcome from messaging.occurrences"
        ).fetchall()
    )
    events = conn.execute(
        "select o.customer_id, e.type from messaging.message_events e "
        "join messaging.outbox o using (message_id)"
    ).fetchall()

    assert outcomes["NEW1/vehicle_welcome"] == "sent"
    assert outcomes["NOC1/vehicle_welcome"] == "no_consent"
    assert outcomes["SUR1/satisfaction_survey"] == "sent"
    assert ("NEW1", "sent") in events and ("SUR1", "sent") in events
    assert not [e for e in events if e[0] == "NOC1"]
    assert dispatch_metadata(first, "email")["sent"] == 1
    assert dispatch_metadata(first, "sms")["sent"] == 1


def test_running_again_sends_nothing_more(sent):
    conn, settings, _, run = sent
    before = sorted(p.name for p in settings.mailbox_dir.iterdir())

    again = run()

    assert sorted(p.name for p in settings.mailbox_dir.iterdir()) == before
    assert dispatch_metadata(again, "email")["sent"] == 0
    assert dispatch_metadata(again, "sms")["sent"] == 0
    assert (
        conn.execute(
            "select count(*) from messaging.message_events where type = 'sent'"
        ).fetchone()[0]
        == len(before) + 1
    )
