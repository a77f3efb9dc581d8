"""The CRM kept in a database, extracted by watermark (a second database plays the CRM)."""

from __future__ import annotations

import psycopg

from assets.ingest import ingest
from assets.resources import CrmDatabase, LandingZoneResource, Warehouse
from models.landing import CRM_CUSTOMERS, CRM_VEHICLES

CRM_SCHEMA = """
create table customers (
    customer_id text primary key, email text, phone text, first_name text, last_name text,
    birth_date date, language text, country text, timezone text, email_opt_in boolean,
    sms_opt_in boolean, loyalty_card_id text, created_at timestamptz, updated_at timestamptz
);
create table vehicles (
    vehicle_id text primary key, customer_id text, make text, model text, model_year int,
    delivered_at date, last_service_at date, service_interval_months int,
    updated_at timestamp without time zone
);
"""


def add_customer(crm_url: str, customer_id: str, updated_at: str, email_opt_in=True) -> None:
    with psycopg.connect(crm_url) as conn:
        conn.execute(
            "insert into customers (customer_id, email, first_name, birth_date, email_opt_in, "
            "sms_opt_in, created_at, updated_at) values (%s, %s, 'Ann', '1980-02-29', %s, false, "
            "%s, %s) on conflict (customer_id) do update set updated_at = excluded.updated_at, "
            "email_opt_in = excluded.email_opt_in",
            (customer_id, f"{customer_id}@example.com", email_opt_in, updated_at, updated_at),
        )


def extract(url: str, crm_url: str, tmp_path, source=CRM_CUSTOMERS):
    return ingest(
        Warehouse(url=url),
        LandingZoneResource(location=str(tmp_path)),
        CrmDatabase(url=crm_url),
        source,
    )


def test_the_crm_database_is_extracted_incrementally_by_updated_at(
    database_url, make_database, tmp_path
):
    crm_url = make_database("crm")
    with psycopg.connect(crm_url) as conn:
        conn.execute(CRM_SCHEMA)
    add_customer(crm_url, "C1", "2026-01-01T00:00:00+00:00")
    add_customer(crm_url, "C2", "2026-02-01T00:00:00+00:00")
    add_customer(crm_url, "C3", "2026-03-01T00:00:00+00:00")

    first = extract(database_url, crm_url, tmp_path)
    add_customer(crm_url, "C1", "2026-04-01T00:00:00+00:00", email_opt_in=False)
    add_customer(crm_url, "C4", "2026-04-02T00:00:00+00:00")
    second = extract(database_url, crm_url, tmp_path)

    assert first.counts.rows_loaded == 3
    # C3 shares the old high watermark and is read again; C2 is not.
    assert second.counts.rows_loaded == 3
    with psycopg.connect(database_url) as conn:
        loaded = conn.execute(
            "select customer_id, email_opt_in, birth_date, updated_at, _source "
            "from raw.crm_customers "
            "where _loaded_at = (select max(_loaded_at) from raw.crm_customers) order by 1"
        ).fetchall()
        watermark = conn.execute("select high_watermark::text from raw._crm_watermarks").fetchone()
    assert [row[0] for row in loaded] == ["C1", "C3", "C4"]
    assert loaded[0][1:] == ("false", "1980-02-29", "2026-04-01T00:00:00+00:00", "crm_db:customers")
    assert watermark == ("2026-04-02 00:00:00+00",)


def test_crm_rows_go_through_the_same_validation_as_files(database_url, make_database, tmp_path):
    crm_url = make_database("crm")
    with psycopg.connect(crm_url) as conn:
        conn.execute(CRM_SCHEMA)
        conn.execute(
            "insert into vehicles values ('V1', 'C1', 'Peugeot', '3008', 2024, '2026-11-20', null, "
            "24, '2026-11-20 10:00'), ('V2', null, 'Renault', 'Clio', 2023, '2023-05-02', null, "
            "null, '2026-11-20 10:00')"
        )

    result = extract(database_url, crm_url, tmp_path, source=CRM_VEHICLES)

    assert (result.counts.rows_loaded, result.counts.rows_rejected) == (1, 1)
    with psycopg.connect(database_url) as conn:
        reject = conn.execute(
            "select vehicle_id, _reject_reason from raw.crm_vehicles_rejects"
        ).fetchone()
    assert reject == ("V2", "customer_id is missing")
