"""The datamart end to end: crafted landing files → the real Dagster job (ingest + dbt build)
→ marts, on the embedded PostgreSQL."""

from __future__ import annotations

import os
from pathlib import Path

import psycopg
import pytest
from dagster import DagsterInstance

from assets.dbt_project import DBT_PROJECT
from models.landing import CATALOG_PRODUCTS, POS_TRANSACTIONS
from tests.assets.landing_files import csv_text, customer, customers_csv, jsonl, web_event, write

AS_OF = "2026-11-23T12:00:00+00:00"


def craft_landing(root: Path) -> None:
    write(
        root,
        "crm/customers/2026-11-01.csv",
        customers_csv(
            customer(
                "C1",
                email="old@example.com",
                loyalty_card_id="LC1",
                updated_at="2026-11-01T08:00:00+00:00",
            ),
            customer("C2", language="de", country="DE", timezone="Mars/Olympus"),
            customer("C3", email="newest@example.com", updated_at="2026-11-10T08:00:00+00:00"),
        ),
    )
    write(
        root,
        "crm/customers/2026-11-15.csv",
        customers_csv(
            customer(
                "C1",
                email="new@example.com",
                loyalty_card_id="LC1",
                updated_at="2026-11-15T08:00:00+00:00",
            ),
            customer("C3", email="stale@example.com", updated_at="2026-11-05T08:00:00+00:00"),
        ),
    )
    write(
        root,
        "catalog/products/catalog.csv",
        csv_text(
            CATALOG_PRODUCTS,
            [
                {
                    "product_id": "P1",
                    "name": "Chino trousers",
                    "category": "trousers",
                    "color": "navy",
                    "price": "79.90",
                    "currency": "EUR",
                    "matches_product_id": "P2",
                },
                {
                    "product_id": "P2",
                    "name": "Navy blazer",
                    "category": "jacket",
                    "color": "navy",
                    "price": "189.00",
                    "currency": "EUR",
                    "matches_product_id": "P1",
                },
            ],
        ),
    )
    write(
        root,
        "web/events/2026-11-20.jsonl",
        jsonl(
            web_event(
                "E1",
                anonymous_id="anon-A",
                type="product_view",
                product_id="P1",
                occurred_at="2026-11-20T09:00:00+01:00",
            ),
            web_event(
                "E2",
                anonymous_id="anon-A",
                type="login",
                customer_id="C1",
                occurred_at="2026-11-20T09:05:00+01:00",
            ),
            web_event(
                "E3",
                anonymous_id="anon-A",
                type="add_to_cart",
                product_id="P1",
                occurred_at="2026-11-20T09:06:00+01:00",
            ),
            web_event(
                "E4",
                anonymous_id="anon-B",
                type="product_view",
                product_id="P2",
                occurred_at="2026-11-20T10:00:00+01:00",
            ),
        ),
    )
    line = {
        "store_id": "S1",
        "product_id": "P1",
        "quantity": "1",
        "unit_price": "79.90",
        "currency": "EUR",
        "purchased_at": "2026-11-21T15:00:00+01:00",
        "line_number": "1",
    }
    write(
        root,
        "pos/transactions/2026-11-21.csv",
        csv_text(
            POS_TRANSACTIONS,
            [
                {**line, "transaction_id": "T1", "loyalty_card_id": "LC1"},
                {**line, "transaction_id": "T2", "customer_id": "C2"},
            ],
        ),
    )


@pytest.fixture(scope="module")
def datamart(pg_server, dbt_manifest, tmp_path_factory):
    from models.as_of import as_of_tags, parse_as_of
    from orchestration.definitions import build_definitions
    from orchestration.jobs import DAILY_JOB
    from orchestration.settings import load_settings

    url = pg_server.url("e2e_datamart")
    with psycopg.connect(pg_server.url("postgres"), autocommit=True) as conn:
        conn.execute("drop database if exists e2e_datamart with (force)")
        conn.execute("create database e2e_datamart")
    landing = tmp_path_factory.mktemp("landing")
    craft_landing(landing)
    settings = load_settings().model_copy(update=dict(database_url=url, landing=str(landing)))
    stale_run_folders(DBT_PROJECT.project_dir / DBT_PROJECT.target_path)
    job = build_definitions(settings).resolve_job_def(DAILY_JOB.name)
    result = job.execute_in_process(
        tags=as_of_tags(parse_as_of(AS_OF)), instance=DagsterInstance.ephemeral()
    )
    assert result.success
    with psycopg.connect(url) as conn:
        yield conn


def stale_run_folders(target: Path) -> None:
    """Six earlier runs' target folders, older than any the build writes."""
    for i in range(6):
        folder = target / f"datamart-stale{i}-0000000"
        folder.mkdir(parents=True, exist_ok=True)
        os.utime(folder, (i + 1, i + 1))


def test_a_build_keeps_only_the_five_newest_run_folders_of_the_datamart_step(datamart):
    target = DBT_PROJECT.project_dir / DBT_PROJECT.target_path
    assert not (target / "datamart-stale0-0000000").exists()
    assert not (target / "datamart-stale1-0000000").exists()
    assert len([folder for folder in target.glob("datamart-*") if folder.is_dir()]) <= 5


def rows(conn, query: str) -> list[tuple]:
    return conn.execute(query).fetchall()


def test_a_visitor_who_browses_anonymously_then_logs_in_is_attributed_before_and_after(datamart):
    events = rows(datamart, "select event_id, customer_id from marts.fct_web_events order by 1")
    assert events == [("E1", "C1"), ("E2", "C1"), ("E3", "C1"), ("E4", None)]


def test_a_store_purchase_by_loyalty_card_only_belongs_to_the_card_holder(datamart):
    orders = rows(
        datamart,
        "select order_key, channel, customer_id from marts.fct_orders "
        "where channel = 'store' order by customer_id",
    )
    assert [(o[1], o[2]) for o in orders] == [("store", "C1"), ("store", "C2")]


def test_a_later_crm_update_wins_and_an_older_re_export_does_not(datamart):
    emails = rows(datamart, "select customer_id, email from marts.dim_customers order by 1")
    assert emails == [
        ("C1", "new@example.com"),
        ("C2", "c2@example.com"),
        ("C3", "newest@example.com"),
    ]


def test_an_unknown_time_zone_falls_back_to_the_countrys_main_zone(datamart):
    zone = rows(
        datamart,
        "select timezone, timezone_source from marts.dim_customers where customer_id = 'C2'",
    )
    assert zone == [("Europe/Berlin", "country")]


def test_store_and_web_behaviour_feed_the_customer_profile(datamart):
    profile = rows(
        datamart,
        "select customer_id, orders_count, lifecycle_stage, age "
        "from marts.dim_customers order by 1",
    )
    assert profile[0] == ("C1", 1, "new", 36)
    assert profile[2][1:3] == (0, "prospect")
