"""A vehicle row that staging types but a mart cannot compute with (a service interval of two
billion months: its next service date is past PostgreSQL's range) breaks the vehicle models
only: `touchpoint run` still sends the birthday mail, names the broken model and the database's
error, exits non-zero, and the next run does the same (nothing left stuck).

The row goes straight into raw, as ingest rules catch such values on the way in (and staging
leaves out values it cannot type); this is the defence behind both.
"""

from __future__ import annotations

from datetime import timedelta

import psycopg
import pytest

from models.landing import CRM_VEHICLES
from tests.assets.landing_files import csv_text, customer, customers_csv, vehicle, write
from tests.e2e.raw_rows_runs import run_twice_with_raw_rows

HUGE_SERVICE_INTERVAL = "2147483647"


def land(landing, today, local):
    # NEW1 took delivery yesterday: a welcome, were vehicles sound.
    write(landing, "crm/customers/new.csv", customers_csv(customer("NEW1", **local)))
    write(
        landing,
        "crm/vehicles/vehicles.csv",
        csv_text(CRM_VEHICLES, [vehicle("V1", "NEW1", today - timedelta(days=1))]),
    )


def insert(conn, today):
    conn.execute(
        "insert into raw.crm_vehicles (vehicle_id, customer_id, make, model, model_year, "
        "delivered_at, service_interval_months, _source, _row_number) "
        "values ('V2', 'NEW1', 'Renault', 'Zoe', '2025', %s, %s, 'by hand', 1)",
        (str(today - timedelta(days=1)), HUGE_SERVICE_INTERVAL),
    )


@pytest.fixture(scope="module")
def runs(pg_server, dbt_manifest, tmp_path_factory):
    return run_twice_with_raw_rows(pg_server, tmp_path_factory, "e2e_staging_failure", land, insert)


def test_the_birthday_mail_is_sent_although_the_vehicle_models_fail(runs):
    [mail] = runs.mails()

    assert mail["X-Touchpoint-Campaign"] == "birthday", runs.first.stdout + runs.first.stderr
    assert mail["To"] == "bd1@example.com"


def test_the_vehicle_campaigns_are_not_judged_on_models_that_were_not_built(runs):
    with psycopg.connect(runs.url) as conn:
        judged = conn.execute("select campaign, customer_id from messaging.occurrences").fetchall()

    assert judged == [("birthday", "BD1")]


def test_the_run_fails_naming_the_model_and_the_database_error(runs):
    first = runs.first

    assert first.returncode == 1
    assert "touchpoint run FAILED" in first.stderr
    assert "step datamart failed: dbt build failed for" in first.stderr
    assert "model dim_vehicles: Database Error" in first.stderr
    assert "out of range" in first.stderr
    assert "\n  trg_vehicle_welcome\n" in first.stderr  # not built this run because of it
    carrying_on = next(line for line in first.stdout.splitlines() if "carrying on" in line)
    assert "campaigns/birthday" in carrying_on and "journeys/basket_recovery" in carrying_on
    assert "journeys/vehicle_lifecycle" not in carrying_on  # its entry was not built


def test_the_next_run_fails_the_same_way_and_sends_nothing_twice(runs):
    second = runs.second

    assert second.returncode == 1
    assert "dim_vehicles" in second.stderr and "out of range" in second.stderr
    assert "campaigns/birthday" in second.stdout  # judged again, nothing new to send
    assert len(runs.mails()) == 1
    with psycopg.connect(runs.url) as conn:
        sent = conn.execute("select count(*) from messaging.outbox where status = 'sent'")
        assert sent.fetchone() == (1,)
