"""Campaigns end to end: crafted landing files → the real daily job's assets up to the campaigns
(ingest, dbt, triggers, campaigns) → messaging.occurrences and messaging.outbox, on the embedded
PostgreSQL.

The judgement runs at a fixed past instant so that local dates and send windows are known;
dispatch is left out because it sends by the wall clock (tests/e2e/test_dispatch_pipeline.py
runs the whole job at the present instant)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import psycopg
import pytest
from dagster import (
    AssetKey,
    DagsterInstance,
)

from models.landing import CATALOG_PRODUCTS, POS_TRANSACTIONS
from tests.assets.landing_files import (
    csv_text,
    customer,
    customers_csv,
    held_out,
    jsonl,
    web_event,
    write,
)
from tests.e2e.pipelines import all_but_dispatch, fresh_database

AS_OF = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)  # 13:00 in Paris, 04:00 in Los Angeles

SCRIPT_NAME = "<script>alert(1)</script>"
JINJA_NAME = "{{ 7*7 }}"


def craft_landing(root: Path) -> None:
    write(
        root,
        "crm/customers/customers.csv",
        customers_csv(
            # Bought the trousers in store with the loyalty card only.
            customer("CS1", first_name=SCRIPT_NAME, loyalty_card_id="LC1"),
            # Bought them too, but gave no consent at all.
            customer("CS2", email_opt_in="false", sms_opt_in="false"),
            # Owns the jacket already: nothing to suggest.
            customer("CS3"),
            # Turns 36 today in Los Angeles, where it is four in the morning.
            customer(
                "BD1",
                language="en-US",
                country="US",
                timezone="America/Los_Angeles",
                birth_date="1990-11-23",
            ),
            # Looked at the jacket four times in three days; takes SMS.
            customer(
                "PI1",
                first_name=JINJA_NAME,
                language="de",
                country="DE",
                timezone="Europe/Berlin",
                phone="+4915112345678",
                sms_opt_in="true",
            ),
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
                    "url": "https://shop.example.com/p1",
                },
                {
                    "product_id": "P2",
                    "name": "Navy blazer",
                    "category": "jacket",
                    "color": "navy",
                    "price": "189.00",
                    "currency": "EUR",
                    "matches_product_id": "P1",
                    "url": "https://shop.example.com/p2",
                },
            ],
        ),
    )
    views = [
        web_event(
            f"V{i}",
            anonymous_id="anon-pi",
            customer_id="PI1",
            type="product_view",
            product_id="P2",
            occurred_at=f"2026-11-2{i}T10:00:00+01:00",
        )
        for i in range(4)
    ]
    write(root, "web/events/views.jsonl", jsonl(*views))
    line = {
        "line_number": "1",
        "store_id": "S1",
        "quantity": "1",
        "unit_price": "79.90",
        "currency": "EUR",
        "purchased_at": "2026-11-21T15:00:00+01:00",
    }
    write(
        root,
        "pos/transactions/2026-11-21.csv",
        csv_text(
            POS_TRANSACTIONS,
            [
                {**line, "transaction_id": "T1", "loyalty_card_id": "LC1", "product_id": "P1"},
                {**line, "transaction_id": "T2", "customer_id": "CS2", "product_id": "P1"},
                {
                    **line,
                    "transaction_id": "T3",
                    "customer_id": "CS3",
                    "product_id": "P2",
                    "purchased_at": "2026-10-01T15:00:00+01:00",
                },
                {**line, "transaction_id": "T4", "customer_id": "CS3", "product_id": "P1"},
            ],
        ),
    )


@pytest.fixture(scope="module")
def pipeline(pg_server, dbt_manifest, tmp_path_factory):
    from models.as_of import as_of_tags
    from orchestration.settings import load_settings

    url = fresh_database(pg_server, "e2e_campaigns")
    landing = tmp_path_factory.mktemp("landing")
    craft_landing(landing)
    settings = load_settings().model_copy(update=dict(database_url=url, landing=str(landing)))
    job = all_but_dispatch(settings)
    instance = DagsterInstance.ephemeral()

    def run():
        result = job.execute_in_process(tags=as_of_tags(AS_OF), instance=instance)
        assert result.success
        return result

    first = run()
    with psycopg.connect(url, autocommit=True) as conn:
        yield conn, first, run


def one(conn, query: str, *params):
    return conn.execute(query, params).fetchone()


def test_the_built_in_holdouts_leave_these_customers_in_the_treated_group(dbt_manifest):
    from orchestration.campaign_catalog import load_catalog

    specs = {s.name: s for s in load_catalog(Path("campaigns")).specs}
    for campaign, customer_id in [
        ("instore_cross_sell", "CS1"),
        ("birthday", "BD1"),
        ("product_interest", "PI1"),
    ]:
        assert not held_out(campaign, customer_id, specs[campaign].holdout)


def test_a_store_purchase_by_loyalty_card_only_gets_the_matching_jacket_and_a_voucher(pipeline):
    conn, _, _ = pipeline
    subject, html, text, channel = one(
        conn,
        "select subject, body_html, body_text, channel from messaging.outbox "
        "where campaign = 'instore_cross_sell' and customer_id = 'CS1'",
    )
    value, currency, valid_from, expires_at, code = one(
        conn,
        "select value, currency, valid_from, expires_at, code from messaging.vouchers "
        "where campaign = 'instore_cross_sell' and customer_id = 'CS1'",
    )
    assert channel == "email"
    assert "Navy blazer" in html and "Navy blazer" in text
    assert code in html and code in text
    assert (value, currency) == (Decimal("10.00"), "EUR")
    assert expires_at - valid_from == timedelta(days=30)


def test_a_name_with_markup_is_printed_as_text(pipeline):
    conn, _, _ = pipeline
    html, text = one(
        conn,
        "select body_html, body_text from messaging.outbox where customer_id = 'CS1'",
    )
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert SCRIPT_NAME in text


def test_a_name_that_looks_like_a_template_is_not_evaluated(pipeline):
    conn, _, _ = pipeline
    [sms] = one(conn, "select sms_text from messaging.outbox where customer_id = 'PI1'")
    assert JINJA_NAME in sms
    assert "Navy blazer" in sms and "30" in sms


def test_no_consent_means_no_outbox_row_and_a_recorded_outcome(pipeline):
    conn, _, _ = pipeline
    assert one(conn, "select count(*) from messaging.outbox where customer_id = 'CS2'") == (0,)
    assert one(
        conn,
        "select outcome from messaging.occurrences "
        "where campaign = 'instore_cross_sell' and customer_id = 'CS2'",
    ) == ("no_consent",)


def test_a_customer_who_owns_the_jacket_already_gets_nothing(pipeline):
    conn, _, _ = pipeline
    assert one(conn, "select count(*) from messaging.occurrences where customer_id = 'CS3'") == (0,)


def test_a_birthday_at_four_in_the_morning_waits_for_nine_local(pipeline):
    conn, _, _ = pipeline
    outcome, send_after = one(
        conn,
        "select outcome, send_after from messaging.occurrences "
        "where campaign = 'birthday' and customer_id = 'BD1'",
    )
    [text] = one(
        conn, "select coalesce(body_text, sms_text) from messaging.outbox where customer_id = 'BD1'"
    )
    assert outcome == "deferred"
    assert send_after == datetime(2026, 11, 23, 17, 0, tzinfo=UTC)
    assert "36" in text


def test_running_the_same_as_of_again_adds_nothing(pipeline):
    conn, _, run = pipeline
    before = one(conn, "select count(*) from messaging.occurrences")
    outbox_before = one(conn, "select count(*) from messaging.outbox")

    run()

    assert one(conn, "select count(*) from messaging.occurrences") == before
    assert one(conn, "select count(*) from messaging.outbox") == outbox_before


def test_each_campaign_reports_its_outcomes_on_its_materialization(pipeline):
    _, result, _ = pipeline
    [materialization] = [
        m
        for m in result.get_asset_materialization_events()
        if m.asset_key == AssetKey(["campaigns", "instore_cross_sell"])
    ]
    metadata = materialization.materialization.metadata
    assert metadata["judged_queued"].value == 1
    assert metadata["judged_no_consent"].value == 1
    assert metadata["rendered"].value == 1


def test_preview_shows_a_future_message_without_recording_anything(pipeline, pg_server):
    from orchestration.campaign_catalog import load_catalog
    from orchestration.preview import preview

    conn, _, _ = pipeline
    specs = {s.name: s for s in load_catalog(Path("campaigns")).specs}
    url = pg_server.url("e2e_campaigns")
    before = one(conn, "select count(*) from messaging.occurrences")
    next_birthday = AS_OF + timedelta(days=365)  # 2027-11-23, four in the morning in LA

    shown = preview(url, specs["birthday"], Path("campaigns"), "BD1", next_birthday, 3)
    nothing = preview(url, specs["birthday"], Path("campaigns"), "CS1", next_birthday, 3)

    assert "BD1:2027: deferred" in shown and "37" in shown
    assert "has no occurrence of trg_birthday" in nothing
    assert one(conn, "select count(*) from messaging.occurrences") == before
