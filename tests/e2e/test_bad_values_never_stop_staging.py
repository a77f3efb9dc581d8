"""Values that pass a careless row rule but not PostgreSQL (out of range, or too long for the
marts' indexes), and bytes PostgreSQL text cannot hold, landed beside good rows in every
source: the real ingest rejects each bad row with its reason, loads the rest, the counts
reconcile, and the real ``dbt build`` of staging succeeds."""

from __future__ import annotations

import json
from datetime import date

import pytest

from assets.ingest import ingest
from assets.resources import CrmDatabase, LandingZoneResource, Warehouse
from models.landing import (
    CATALOG_PRODUCTS,
    CRM_VEHICLES,
    LANDING_SOURCES,
    POS_TRANSACTIONS,
)
from tests.assets.landing_files import (
    csv_text,
    customer,
    customers_csv,
    till_line,
    vehicle,
    web_event,
    write,
)
from tests.dbt.crafted_datamart import CraftedDatamart

AS_OF = "2026-11-23T12:00:00+00:00"
# Rows each source loads and rejects below.
EXPECTED = {
    "crm_customers": (3, 9),
    "crm_vehicles": (2, 8),
    "catalog_products": (2, 4),
    "web_events": (3, 13),
    "pos_transactions": (2, 8),
}


def with_bytes(data: bytes, row: int, old: bytes, new: bytes) -> bytes:
    """``data`` with ``old`` replaced by ``new`` in line ``row`` (0 is the header)."""
    lines = data.splitlines(keepends=True)
    lines[row] = lines[row].replace(old, new)
    return b"".join(lines)


def customers() -> bytes:
    text = customers_csv(
        customer("C1"),
        customer("C2", updated_at="0000-03-01T10:00:00+00:00"),
        customer("C3", created_at="2026-01-01T10:00:00+99:99"),
        customer("C4", updated_at="2026-01-01T10:00:00-16:00"),
        customer("C5", birth_date="0000-01-01"),
        customer("C6", birth_date="2026-02-29"),
        customer("C7", updated_at="2026-01-01T10:00:00.1234567+15:59", birth_date="0001-01-01"),
        customer("C8", first_name="Zoë"),
        customer("C9", first_name="Ann"),
        customer("C10", created_at="2026-01-01T10:00:00+14:60"),
        customer("C11", updated_at="9999-12-31T23:59:59-15:59"),
        customer("C" * 201),
    )
    data = with_bytes(text.encode(), 8, "Zoë".encode(), "Zoë".encode("latin-1"))
    return with_bytes(data, 9, b"Ann", b"A\x00nn")


def vehicles() -> str:
    def v(vehicle_id: str, **fields) -> dict:
        return {**vehicle(vehicle_id, "C1", date(2026, 11, 20)), **fields}

    return csv_text(
        CRM_VEHICLES,
        [
            v("V1"),
            v("V2", model_year="99999999999"),
            v("V3", model_year="2147483648"),
            v("V4", model_year="2147483647", service_interval_months="1200"),
            v("V5", service_interval_months="99999999999"),
            v("V6", service_interval_months="2147483647"),
            v("V7", delivered_at="0000-06-01"),
            v("V8", last_service_at="2026-02-29"),
            v("V9", model_year="-2147483649"),
            v("V10", service_interval_months="NaN"),
        ],
    )


def products() -> str:
    def p(product_id: str, price: str) -> dict:
        return {"product_id": product_id, "name": "Chino", "price": price, "currency": "EUR"}

    return csv_text(
        CATALOG_PRODUCTS,
        [
            p("P1", "79.90"),
            p("P2", "1" * 131_073),
            p("P3", "0." + "1" * 16_384),
            p("P4", "NaN"),
            p("P5", "Infinity"),
            p("P6", "123456789012345678901234567890.5"),
        ],
    )


def events() -> bytes:
    def line(event_id: str, **fields) -> bytes:
        return json.dumps(web_event(event_id, **fields)).encode()

    lines = [
        line("E1", properties={"smile": "\U0001f600"}),
        line("E2", occurred_at="2026-11-20T10:00:00+99:99"),
        line("E3", occurred_at="0000-11-20T10:00:00+01:00"),
        line("E4", occurred_at="2026-11-20T10:00:00-16:00"),
        line("E5", occurred_at="2026-11-20T10:00:00+15:59"),
        line("E6", properties={"note": "a\u0000b"}),
        line("E7", url="https://shop.example.com/\u0000"),
        line("E8").replace(b'"s1"', b'"\\ud800"'),
        line("E9").replace(b"anon-1", b"anon-\x001"),
        line("E10").replace(b"anon-1", b"anon-\xe9"),
        line("E11", type="order_completed", order_id="O1").replace(
            b'"url"', b'"revenue": 1e999999, "url"'
        ),
        line("E12", type="order_completed", order_id="O2", revenue="1" * 131_073),
        line("E13", properties="not json"),
        line("E14", occurred_at="2026-02-29T10:00:00Z"),
        line("E15", properties={"big": 10**30}),
        line("E16", anonymous_id="é" * 101),
    ]
    return b"\n".join(lines) + b"\n"


def till_lines() -> bytes:
    bad = [
        {"line_number": "99999999999"},
        {"quantity": "2147483648"},
        {"purchased_at": "0000-11-20T15:00:00+01:00"},
        {"purchased_at": "2026-11-20T15:00:00+24:00"},
        {"unit_price": "0." + "1" * 16_384},
        {"quantity": "-99999999999"},
        {},  # a NUL byte, below
        {},  # a latin-1 byte, below
        {},  # good
    ]
    rows = [till_line(1)]
    rows += [till_line(n, **fields) for n, fields in enumerate(bad, start=2)]
    text = csv_text(POS_TRANSACTIONS, rows)
    data = with_bytes(text.encode(), 8, b"S1", b"S\x001")
    return with_bytes(data, 9, b"EUR", b"\xa4UR")


@pytest.fixture(scope="module")
def datamart(pg_server, dbt_manifest, tmp_path_factory) -> CraftedDatamart:
    work = tmp_path_factory.mktemp("bad_values")
    return CraftedDatamart(pg_server, "e2e_bad_values", work)


@pytest.fixture(scope="module")
def ingested(datamart, tmp_path_factory) -> dict:
    landing = tmp_path_factory.mktemp("landing")
    write(landing, "crm/customers/export.csv", customers())
    write(landing, "crm/vehicles/export.csv", vehicles())
    write(landing, "catalog/products/catalog.csv", products())
    write(landing, "web/events/day.jsonl", events())
    write(landing, "pos/transactions/day.csv", till_lines())
    return {
        source.name: ingest(
            Warehouse(url=datamart.url),
            LandingZoneResource(location=str(landing)),
            CrmDatabase(),
            source,
        )
        for source in LANDING_SOURCES
    }


def test_every_bad_row_is_rejected_with_a_reason_and_the_counts_reconcile(datamart, ingested):
    for name, result in ingested.items():
        counts = result.counts
        assert not result.quarantined, name
        assert counts.reconciles, name
        assert (counts.rows_loaded, counts.rows_rejected) == EXPECTED[name], name
        [row] = datamart.rows(
            f"select count(*) as unexplained from raw.{name}_rejects "
            "where coalesce(_reject_reason, '') = ''"
        )
        assert row["unexplained"] == 0, name


def test_the_staging_build_succeeds_on_what_was_loaded(datamart, ingested):
    datamart.build(AS_OF, "staging")

    staged = {
        model: row["n"]
        for model in (
            "stg_crm__customers",
            "stg_crm__vehicles",
            "stg_catalog__products",
            "stg_web__events",
            "stg_pos__transaction_lines",
        )
        for row in datamart.rows(f"select count(*) as n from staging.{model}")
    }
    assert staged == {
        "stg_crm__customers": EXPECTED["crm_customers"][0],
        "stg_crm__vehicles": EXPECTED["crm_vehicles"][0],
        "stg_catalog__products": EXPECTED["catalog_products"][0],
        "stg_web__events": EXPECTED["web_events"][0],
        "stg_pos__transaction_lines": EXPECTED["pos_transactions"][0],
    }
    edges = datamart.rows(
        "select vehicle_id, model_year, service_interval_months from staging.stg_crm__vehicles "
        "order by 1"
    )
    assert edges[1] == {
        "vehicle_id": "V4",
        "model_year": 2147483647,
        "service_interval_months": 1200,
    }
