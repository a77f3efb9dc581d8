"""Ingestion into the raw layer, against the real embedded PostgreSQL and Great Expectations."""

from __future__ import annotations

import os
import time
from pathlib import Path

import psycopg
import pytest

from assets.ingest import ingest
from assets.resources import CrmDatabase, LandingZoneResource, Warehouse
from models.landing import CRM_CUSTOMERS, POS_TRANSACTIONS, WEB_EVENTS
from tests.assets.landing_files import csv_text, customer, customers_csv, jsonl, web_event, write


def run_ingest(url: str, landing: Path | str, source, crm_url: str = ""):
    return ingest(
        Warehouse(url=url),
        LandingZoneResource(location=str(landing)),
        CrmDatabase(url=crm_url),
        source,
    )


def count(url: str, table: str) -> int:
    with psycopg.connect(url) as conn:
        return conn.execute(f"select count(*) from raw.{table}").fetchone()[0]


def test_every_row_read_is_loaded_or_rejected_with_a_reason(database_url, tmp_path):
    write(
        tmp_path,
        "crm/customers/export.csv",
        customers_csv(
            customer("C1"),
            customer("", first_name="No id"),
            customer("C3", birth_date="1990-02-30"),
            customer("C4", email_opt_in="maybe", updated_at="yesterday"),
            customer("C5", email="not-an-email", timezone="Mars/Olympus"),
        ),
    )

    result = run_ingest(database_url, tmp_path, CRM_CUSTOMERS)

    assert (result.counts.rows_read, result.counts.rows_loaded, result.counts.rows_rejected) == (
        5,
        2,
        3,
    )
    assert count(database_url, "crm_customers") + count(database_url, "crm_customers_rejects") == 5
    with psycopg.connect(database_url) as conn:
        reasons = dict(
            conn.execute(
                "select _row_number, _reject_reason from raw.crm_customers_rejects"
            ).fetchall()
        )
    assert reasons[2] == "customer_id is missing"
    assert reasons[3] == "birth_date '1990-02-30' is not a date (YYYY-MM-DD)"
    assert "email_opt_in 'maybe' is not true/false" in reasons[4]
    assert "updated_at 'yesterday' is not an ISO 8601 timestamp" in reasons[4]


def test_invalid_email_and_unknown_time_zone_are_loaded_for_dbt_to_flag(database_url, tmp_path):
    write(
        tmp_path,
        "crm/customers/export.csv",
        customers_csv(
            customer("C5", email="jean.dupont@", timezone="Europe/Pariss", phone="12345")
        ),
    )

    run_ingest(database_url, tmp_path, CRM_CUSTOMERS)

    with psycopg.connect(database_url) as conn:
        row = conn.execute("select email, timezone, phone from raw.crm_customers").fetchone()
    assert row == ("jean.dupont@", "Europe/Pariss", "12345")


def test_json_lines_that_are_broken_or_not_objects_are_rejected_and_the_rest_loads(
    database_url, tmp_path
):
    write(
        tmp_path,
        "web/events/day1.jsonl",
        jsonl(
            web_event("E1"),
            "{not json",
            "[1, 2]",
            web_event("E2", type="teleport"),
            web_event("", type="login"),
            web_event("E4", occurred_at="2026-11-20 10:00"),
            web_event("E5", type="order_completed", revenue=129.9, order_id="O1"),
        ),
    )

    result = run_ingest(database_url, tmp_path, WEB_EVENTS)

    assert (result.counts.rows_read, result.counts.rows_loaded) == (7, 2)
    with psycopg.connect(database_url) as conn:
        reasons = dict(
            conn.execute(
                "select _row_number, _reject_reason from raw.web_events_rejects"
            ).fetchall()
        )
        loaded = conn.execute(
            "select event_id, revenue, properties::jsonb from raw.web_events order by event_id"
        ).fetchall()
    assert reasons[2].startswith("the line is not valid JSON (")
    assert reasons[3] == "the line is JSON but not an object"
    assert reasons[4].startswith("type 'teleport' is not one of page_view")
    assert reasons[5] == "event_id is missing"
    assert reasons[6].startswith("occurred_at '2026-11-20 10:00' is not an ISO 8601 timestamp")
    assert loaded == [("E1", None, {"session_id": "s1"}), ("E5", "129.9", {"session_id": "s1"})]


def test_a_file_dropped_twice_is_ingested_once(database_url, tmp_path):
    path = write(tmp_path, "crm/customers/export.csv", customers_csv(customer("C1")))
    run_ingest(database_url, tmp_path, CRM_CUSTOMERS)

    later = time.time() + 60
    os.utime(path, (later, later))  # dropped again: same content, new modification time
    again = run_ingest(database_url, tmp_path, CRM_CUSTOMERS)

    assert again.counts.rows_read == 0 and again.skipped_files == 1
    assert count(database_url, "crm_customers") == 1


def test_a_changed_file_under_the_same_name_is_ingested_again(database_url, tmp_path):
    write(tmp_path, "crm/customers/export.csv", customers_csv(customer("C1")))
    run_ingest(database_url, tmp_path, CRM_CUSTOMERS)
    write(tmp_path, "crm/customers/export.csv", customers_csv(customer("C1"), customer("C2")))

    again = run_ingest(database_url, tmp_path, CRM_CUSTOMERS)

    assert again.counts.rows_loaded == 2
    assert count(database_url, "crm_customers") == 3


def test_a_malformed_file_is_quarantined_and_the_other_files_still_load(database_url, tmp_path):
    write(tmp_path, "crm/customers/a_legacy.csv", "id;mail;name\n1;a@example.com;Ann\n")
    write(tmp_path, "crm/customers/b_export.csv", customers_csv(customer("C1")))

    result = run_ingest(database_url, tmp_path, CRM_CUSTOMERS)

    assert result.loaded_files == ["crm/customers/b_export.csv"]
    assert [q.path for q in result.quarantined] == ["crm/customers/a_legacy.csv"]
    assert not (tmp_path / "crm/customers/a_legacy.csv").exists()
    moved = tmp_path / "_rejected/crm/customers/a_legacy.csv"
    error = (tmp_path / "_rejected/crm/customers/a_legacy.csv.error.txt").read_text()
    assert moved.read_text().startswith("id;mail;name")
    assert "missing required column(s) customer_id, updated_at" in error
    assert "Found: id;mail;name" in error
    with psycopg.connect(database_url) as conn:
        status = conn.execute(
            "select path, status from raw._landing_files order by path"
        ).fetchall()
    assert status == [
        ("crm/customers/a_legacy.csv", "quarantined"),
        ("crm/customers/b_export.csv", "loaded"),
    ]


def test_a_file_whose_header_is_not_utf8_is_quarantined(database_url, tmp_path):
    body = customers_csv(customer("C1")).encode("utf-8")
    write(
        tmp_path,
        "crm/customers/latin1.csv",
        body.replace(b"last_name", "lást_name".encode("latin-1")),
    )

    result = run_ingest(database_url, tmp_path, CRM_CUSTOMERS)

    assert result.quarantined and "the header is not UTF-8" in result.quarantined[0].error


def test_a_csv_row_with_the_wrong_number_of_fields_is_rejected_and_the_rest_loads(
    database_url, tmp_path
):
    good = customers_csv(customer("C1"), customer("C3"))
    header, first, third = good.splitlines()
    write(tmp_path, "crm/customers/export.csv", "\n".join([header, first, "C2,oops", third]) + "\n")

    result = run_ingest(database_url, tmp_path, CRM_CUSTOMERS)

    assert (result.counts.rows_read, result.counts.rows_loaded) == (3, 2)
    with psycopg.connect(database_url) as conn:
        reject = conn.execute(
            "select _row_number, _reject_reason, _raw from raw.crm_customers_rejects"
        ).fetchone()
    assert reject == (2, "expected 14 fields, found 2", "C2,oops")


def test_a_store_line_needs_a_customer_id_or_a_loyalty_card(database_url, tmp_path):
    line = {
        "transaction_id": "T1",
        "line_number": "1",
        "store_id": "S1",
        "product_id": "P1",
        "quantity": "1",
        "unit_price": "59.90",
        "currency": "EUR",
        "purchased_at": "2026-11-20T15:00:00+01:00",
    }
    write(
        tmp_path,
        "pos/transactions/day.csv",
        csv_text(
            POS_TRANSACTIONS,
            [
                {**line, "loyalty_card_id": "LC42"},
                {**line, "line_number": "2"},
            ],
        ),
    )

    result = run_ingest(database_url, tmp_path, POS_TRANSACTIONS)

    assert result.counts.rows_loaded == 1
    with psycopg.connect(database_url) as conn:
        reason = conn.execute("select _reject_reason from raw.pos_transactions_rejects").fetchone()
    assert reason == (
        "customer_id or loyalty_card_id is missing: one of them identifies the customer",
    )


@pytest.fixture
def s3_landing(moto_endpoint):
    import boto3

    client = boto3.client("s3")
    client.create_bucket(
        Bucket="landing", CreateBucketConfiguration={"LocationConstraint": "eu-west-1"}
    )
    yield client
    for item in client.list_objects_v2(Bucket="landing").get("Contents", []):
        client.delete_object(Bucket="landing", Key=item["Key"])
    client.delete_bucket(Bucket="landing")


def test_an_s3_landing_zone_is_ingested_once_and_bad_files_are_quarantined_there(
    database_url, s3_landing
):
    s3_landing.put_object(
        Bucket="landing",
        Key="acme/crm/customers/export.csv",
        Body=customers_csv(customer("C1"), customer("")).encode(),
    )
    s3_landing.put_object(
        Bucket="landing", Key="acme/crm/customers/legacy.csv", Body=b"id;mail\n1;a\n"
    )

    first = run_ingest(database_url, "s3://landing/acme", CRM_CUSTOMERS)
    second = run_ingest(database_url, "s3://landing/acme", CRM_CUSTOMERS)

    assert (first.counts.rows_loaded, first.counts.rows_rejected) == (1, 1)
    assert second.counts.rows_read == 0 and second.skipped_files == 1
    keys = {o["Key"] for o in s3_landing.list_objects_v2(Bucket="landing")["Contents"]}
    assert keys == {
        "acme/crm/customers/export.csv",
        "acme/_rejected/crm/customers/legacy.csv",
        "acme/_rejected/crm/customers/legacy.csv.error.txt",
    }
