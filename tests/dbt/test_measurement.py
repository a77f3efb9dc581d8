"""Measurement (docs/architecture.md, Responses; issue #5): message events, consent, engagement and
the favoured channel, NPS, conversions with vouchers and holdouts, and the campaign report — built
by real dbt on the real PostgreSQL from crafted rows (measurement_rows.sql), every figure checked by
hand.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import psycopg
import pytest

from assets.occurrence_decisions import CampaignPolicy, decide_occurrences
from tests.dbt.crafted_datamart import CraftedDatamart

MEASUREMENT_ROWS = Path(__file__).with_name("measurement_rows.sql")
AS_OF = "2026-11-23T12:00:00+00:00"
MEASURED = "+tag:reports +dim_customers"


@pytest.fixture(scope="module")
def datamart(pg_server, tmp_path_factory) -> CraftedDatamart:
    work = tmp_path_factory.mktemp("measurement")
    datamart = CraftedDatamart(pg_server, "dbt_measurement_test", work, MEASUREMENT_ROWS)
    datamart.build(AS_OF, MEASURED)
    return datamart


@pytest.fixture(scope="module")
def performance(datamart) -> dict[str, dict[str, Any]]:
    return datamart.by("campaign", "select * from reports.rpt_campaign_performance")


@pytest.fixture(scope="module")
def customers(datamart) -> dict[str, dict[str, Any]]:
    return datamart.by("customer_id", "select * from marts.dim_customers")


# Events


def test_an_event_recorded_twice_is_counted_once(datamart, performance):
    delivered = datamart.rows(
        "select * from marts.fct_message_events where customer_id = 'dup' and type = 'delivered'"
    )
    [message] = datamart.rows("select * from marts.fct_messages where customer_id = 'dup'")

    assert len(delivered) == 1
    assert message["opens_count"] == 2, "two opens are two events"
    assert message["opened_at"] == datetime(2026, 11, 10, 11, tzinfo=UTC), "the first open"
    assert (performance["birthday"]["delivered"], performance["birthday"]["opened"]) == (1, 1)


def test_an_event_after_the_as_of_instant_has_not_happened_yet(datamart):
    [silent] = datamart.rows(
        "select * from marts.fct_messages where customer_id = 'silent' "
        "and campaign = 'service_reminder'"
    )
    assert silent["clicked_at"] is None


# Consent


def test_an_unsubscribe_suppresses_email_and_counts_against_its_campaign(customers, performance):
    unsub = customers["unsub"]
    assert (unsub["email_suppressed"], unsub["email_suppression_reason"]) == (True, "unsubscribed")
    assert unsub["sms_suppressed"] is False
    assert performance["vehicle_renewal"]["unsubscribed"] == 1


def test_stop_suppresses_sms_and_answers_the_latest_sms_sent(datamart, customers, performance):
    stopper = customers["stopper"]
    [stop] = datamart.rows(
        "select * from marts.fct_message_events where customer_id = 'stopper' "
        "and type = 'opted_out'"
    )
    assert (stopper["sms_suppressed"], stopper["sms_suppression_reason"]) == (True, "opted_out")
    assert (stop["campaign"], stop["message_attributed_by"]) == (
        "product_interest",
        "latest_message",
    )
    assert performance["product_interest"]["unsubscribed"] == 1


def test_start_after_stop_resubscribes(customers):
    assert customers["restarted"]["sms_suppressed"] is False
    assert customers["restarted"]["sms_suppression_reason"] is None


# Engagement


def test_the_favoured_channel_is_the_one_clicked_or_replied_to_most(customers):
    favoured = {c: customers[c]["favoured_channel"] for c in ("texter", "reader", "silent")}
    assert favoured == {"texter": "sms", "reader": "email", "silent": None}


def test_engagement_rates_per_channel(datamart):
    texter = datamart.by(
        "channel",
        "select * from marts.fct_customer_channel_engagement where customer_id = 'texter'",
    )
    assert (texter["email"]["messages_sent"], texter["email"]["open_rate"]) == (2, Decimal(1))
    assert texter["email"]["response_rate"] == 0
    assert (texter["sms"]["messages_clicked"], texter["sms"]["response_rate"]) == (1, Decimal(1))


def test_best_sends_by_the_favoured_channel_measured_in_the_datamart(datamart):
    policy = CampaignPolicy(
        campaign="welcome_best",
        source_schema="crafted",
        source_model="trg_welcome_best",
        channel="best",
        priority=10,
        window_start=time(0),
        window_end=time(23, 59),
        cooldown=timedelta(0),
        expiry=None,
        holdout=0.0,
        marketing=False,
    )
    as_of = datetime.fromisoformat(AS_OF)
    with psycopg.connect(datamart.url) as conn:  # rolled back: the datamart stays as built
        conn.execute("create schema crafted")
        conn.execute(
            "create table crafted.trg_welcome_best as "
            "select customer_id || ':w' as occurrence_key, customer_id, "
            "%(at)s::timestamptz as occurred_at, %(at)s::timestamptz + interval '1 day' as "
            "expires_at, '{}'::jsonb as context from marts.dim_customers "
            "where customer_id in ('texter', 'reader', 'silent')",
            {"at": as_of - timedelta(hours=1)},
        )
        decide_occurrences(conn, [policy], as_of)
        channels = dict(
            conn.execute(
                "select customer_id, channel from messaging.occurrences "
                "where campaign = 'welcome_best'"
            ).fetchall()
        )
        conn.rollback()
    assert channels == {"texter": "sms", "reader": "email", "silent": "email"}


# NPS


def test_a_survey_answer_of_9_is_a_promoter_of_its_campaign(datamart, performance):
    answers = datamart.by("customer_id", "select * from marts.fct_survey_answers")
    assert (answers["driver1"]["score"], answers["driver1"]["nps_category"]) == (9, "promoter")
    assert answers["driver1"]["campaign"] == "satisfaction_survey"
    assert (answers["driver2"]["score"], answers["driver3"]["score"]) == (4, 7), "latest answer"
    # 1 promoter, 1 passive, 1 detractor: (1 − 1) / 3 → 0
    survey = performance["satisfaction_survey"]
    assert (survey["nps_answers"], survey["nps"], survey["replied"]) == (3, Decimal(0), 3)


def test_nps_per_make(datamart):
    by_make = datamart.by(
        "make", "select * from reports.rpt_nps where campaign = 'satisfaction_survey'"
    )
    assert by_make["Peugeot"]["answers"] == 2
    assert by_make["Peugeot"]["nps"] == Decimal("50.0"), "a promoter and a passive"
    assert by_make["Renault"]["nps"] == Decimal("-100.0"), "a detractor"


# Conversions


def test_an_order_with_the_voucher_within_the_window_converts_with_its_revenue(
    datamart, performance
):
    [conversion] = datamart.rows(
        "select * from marts.fct_conversions where campaign = 'instore_cross_sell'"
    )
    assert conversion["order_key"] == "store-TX-shop"
    assert (conversion["attributed_by"], conversion["voucher_code"]) == (
        "voucher",
        "ABCD-EFGH-JKMN",
    )
    assert (conversion["revenue"], conversion["is_credited"]) == (Decimal(120), True)
    cross_sell = performance["instore_cross_sell"]
    assert (cross_sell["converted"], cross_sell["voucher_redemptions"]) == (1, 1)
    assert (cross_sell["revenue"], cross_sell["revenue_per_message"]) == (120, Decimal("120.00"))
    assert cross_sell["lift"] is None, "no holdout exposure to compare with"


def test_the_holdout_gives_the_lift(performance):
    basket = performance["abandoned_basket"]
    # treated: t1 (web 50) and t2 (store 80) ordered within 3 days of 4 sent; t3 after 5 days.
    # holdout: h1 ordered within 3 days of 4 held out; h2 after 4 days.
    assert (basket["sent"], basket["converted"], basket["revenue"]) == (4, 2, Decimal(130))
    assert (basket["holdout_size"], basket["holdout_converted"]) == (4, 1)
    assert basket["conversion_rate"] == Decimal("0.5")
    assert basket["holdout_conversion_rate"] == Decimal("0.25")
    assert basket["lift"] == Decimal("0.25")
    assert basket["revenue_per_message"] == Decimal("32.50")


def test_an_order_converts_each_campaign_but_its_revenue_goes_to_the_latest_message(performance):
    birthday, winback = performance["birthday"], performance["winback"]
    assert (birthday["converted"], birthday["revenue"]) == (1, Decimal(40))
    assert (winback["converted"], winback["revenue"]) == (1, 0)


def test_a_campaign_the_catalog_never_registered_converts_within_the_default_window(
    datamart, performance
):
    [exposure] = datamart.rows(
        "select * from marts.fct_campaign_exposures where campaign = 'flash_sale'"
    )
    assert (exposure["conversion_window_days"], exposure["conversion_window_source"]) == (
        30,
        "default",
    )
    assert (performance["flash_sale"]["converted"], performance["flash_sale"]["revenue"]) == (
        1,
        Decimal(15),
    )


def test_a_reply_to_a_keyword_is_no_campaign_and_no_engagement(datamart, performance):
    [reply] = datamart.rows("select * from marts.fct_messages where campaign = 'sms_keyword_reply'")
    engagement = datamart.rows(
        "select * from marts.fct_customer_channel_engagement where customer_id = 'silent'"
    )
    assert reply["is_campaign_message"] is False
    assert "sms_keyword_reply" not in performance
    assert [row["channel"] for row in engagement] == ["email"]


def test_a_campaign_without_messages_reports_zeros(performance):
    welcome = performance["vehicle_welcome"]
    assert (welcome["sent"], welcome["converted"], welcome["revenue"]) == (0, 0, 0)
    assert welcome["conversion_rate"] is None


def test_conversions_per_day(datamart):
    daily = datamart.rows(
        "select campaign, order_date::text as day, conversions, revenue "
        "from reports.rpt_campaign_conversions_daily order by 2, 1"
    )
    assert [(r["campaign"], r["day"], r["conversions"], r["revenue"]) for r in daily] == [
        ("birthday", "2026-11-09", 1, Decimal(40)),
        ("winback", "2026-11-09", 1, Decimal(0)),
        ("instore_cross_sell", "2026-11-10", 1, Decimal(120)),
        ("abandoned_basket", "2026-11-11", 1, Decimal(50)),
        ("abandoned_basket", "2026-11-12", 1, Decimal(80)),
        ("flash_sale", "2026-11-20", 1, Decimal(15)),
    ]


# The report asset


def test_the_report_asset_shows_the_campaigns_and_writes_the_html(datamart, dbt_manifest, tmp_path):
    from dagster import materialize

    from assets.campaign_report import REPORT_KEY, build_campaign_report_asset
    from assets.resources import Warehouse

    page = tmp_path / "reports" / "campaign_performance.html"
    result = materialize(
        [build_campaign_report_asset(page)], resources={"warehouse": Warehouse(url=datamart.url)}
    )

    [event] = [e for e in result.get_asset_materialization_events() if e.asset_key == REPORT_KEY]
    metadata = event.materialization.metadata
    assert metadata["campaigns"].value == 10  # nine registered, flash_sale
    assert metadata["messages_sent"].value == 19
    assert metadata["revenue"].value == 305.0  # 130 + 120 + 40 + 15
    table = metadata["performance"].value
    assert "| abandoned\\_basket | 4 |" in table  # escaped: it renders as abandoned_basket
    assert "+25.0 pp" in table
    records = {r.data["campaign"]: r.data for r in metadata["performance_table"].value.records}
    assert records["abandoned_basket"]["lift"] == 0.25
    assert metadata["funnel"].value.startswith("![Funnel per campaign](data:image/svg+xml;base64,")
    html = page.read_text()
    for figure in ("abandoned_basket", "satisfaction_survey", "+25.0 pp", "32.50", "120.00"):
        assert figure in html
    assert html.count("<svg") == 3
    assert "src=" not in html and "<link" not in html, "self-contained: nothing fetched"
