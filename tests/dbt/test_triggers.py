"""The trigger and segment models (docs/triggers.md), built by real dbt on the real PostgreSQL from
crafted raw rows (trigger_rows.sql): who is listed at an as-of instant, with which key, window and
context — and who is not, at each boundary the contract draws.

Each as-of instant is built once into one database and its occurrences read back, so the tests
compare plain rows. The snapshot has a database of its own: it accumulates over builds.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from tests.dbt.crafted_datamart import CraftedDatamart

TRIGGER_ROWS = Path(__file__).with_name("trigger_rows.sql")

AS_OF = "2026-11-23T12:00:00+00:00"  # 13:00 in Paris, local date 2026-11-23
EARLY = "2026-11-03T13:00:00+00:00"  # an hour after the burst customer's first completion
NON_LEAP_FEB_28 = "2027-02-28T06:00:00+00:00"  # Paris: 28 Feb 07:00; Los Angeles: 27 Feb 22:00
LEAP_FEB_29 = "2028-02-29T05:00:00+00:00"  # Paris: 29 Feb 06:00; Los Angeles: 28 Feb 21:00
HALF_AN_HOUR_LATER = "2026-11-23T12:30:00+00:00"  # the 30-minute-old basket is now 1 h old
LATER = "2026-12-03T12:00:00+00:00"  # ten days on: one member has ordered, another has lapsed

TRIGGERS = (
    "trg_birthday",
    "trg_abandoned_basket",
    "trg_product_interest",
    "trg_instore_cross_sell",
    "trg_vehicle_welcome",
    "trg_service_reminder",
    "trg_vehicle_renewal",
    "trg_satisfaction_survey",
    "trg_vehicle_delivered",
    "trg_new_customer",
)
EVERYTHING = "+tag:triggers +tag:segments"


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


class Datamart(CraftedDatamart):
    """One database with the crafted trigger rows, built by dbt at as-of instants on request."""

    def __init__(self, pg_server, name: str, work: Path) -> None:
        super().__init__(pg_server, name, work, TRIGGER_ROWS)

    def build(self, as_of: str, select: str = EVERYTHING) -> None:
        super().build(as_of, select)

    def occurrences(self, model: str) -> dict[str, dict[str, Any]]:
        """The trigger's rows by occurrence key."""
        rows = self.rows(f"select * from triggers.{model} order by occurrence_key")
        return {row["occurrence_key"]: row for row in rows}


@pytest.fixture(scope="module")
def datamart(pg_server, tmp_path_factory) -> Datamart:
    return Datamart(pg_server, "dbt_triggers_test", tmp_path_factory.mktemp("dbt_triggers"))


@pytest.fixture(scope="module")
def built_at(datamart):
    """Builds each as-of instant once and keeps what every trigger and segment listed."""
    cache: dict[tuple[str, str], dict[str, dict]] = {}

    def at(as_of: str, select: str = EVERYTHING) -> dict[str, dict]:
        if (as_of, select) not in cache:
            datamart.build(as_of, select)
            models = TRIGGERS if select == EVERYTHING else (select.strip("+"),)
            listed = {model: datamart.occurrences(model) for model in models}
            if select == EVERYTHING:
                members = datamart.rows("select * from segments.seg_lapsed_customers")
                listed["seg_lapsed_customers"] = {m["customer_id"]: m for m in members}
            cache[as_of, select] = listed
        return cache[as_of, select]

    return at


@pytest.fixture(scope="module")
def at_as_of(built_at) -> dict[str, dict]:
    return built_at(AS_OF)


def customers(occurrences: dict[str, dict]) -> set[str]:
    return {row["customer_id"] for row in occurrences.values()}


# Birthdays


def test_a_birthday_is_listed_on_the_customers_local_birthday_for_that_local_day(at_as_of):
    birthdays = at_as_of["trg_birthday"]
    assert set(birthdays) == {"bday_today:2026", "bday_auckland:2026"}
    today = birthdays["bday_today:2026"]
    assert today["context"] == {"age": 36, "birthday": "2026-11-23"}
    assert today["occurred_at"] == utc("2026-11-23T00:00:00+01:00")
    assert today["expires_at"] == utc("2026-11-24T00:00:00+01:00")


def test_a_birthday_already_begun_in_auckland_is_listed_while_it_is_still_the_eve_in_utc(
    at_as_of,
):
    auckland = at_as_of["trg_birthday"]["bday_auckland:2026"]
    assert auckland["context"] == {"age": 36, "birthday": "2026-11-24"}
    assert auckland["occurred_at"] == utc("2026-11-24T00:00:00+13:00")


def test_a_29_february_birthday_is_celebrated_on_28_february_in_a_non_leap_year(built_at):
    birthdays = built_at(NON_LEAP_FEB_28, "+trg_birthday")["trg_birthday"]
    assert birthdays["leap_paris:2027"]["context"] == {"age": 27, "birthday": "2027-02-28"}


def test_a_29_february_birthday_is_celebrated_on_29_february_in_a_leap_year(built_at):
    birthdays = built_at(LEAP_FEB_29, "+trg_birthday")["trg_birthday"]
    assert birthdays["leap_paris:2028"]["context"] == {"age": 28, "birthday": "2028-02-29"}
    assert "leap_la:2028" not in birthdays, "28 Feb of a leap year is not a 29 Feb birthday"


def test_the_customers_local_date_decides_the_birthday_at_one_instant(built_at):
    non_leap = built_at(NON_LEAP_FEB_28, "+trg_birthday")["trg_birthday"]
    assert set(non_leap) == {"leap_paris:2027", "feb28_paris:2027"}
    assert non_leap["feb28_paris:2027"]["context"] == {"age": 37, "birthday": "2027-02-28"}

    leap = built_at(LEAP_FEB_29, "+trg_birthday")["trg_birthday"]
    assert set(leap) == {"leap_paris:2028", "feb28_la:2028"}
    assert leap["feb28_la:2028"]["occurred_at"] == utc("2028-02-28T00:00:00-08:00")


# Abandoned baskets


def test_a_basket_lists_what_was_added_since_the_last_order_and_not_removed(at_as_of):
    basket = at_as_of["trg_abandoned_basket"]["basket:bk1"]
    assert basket["customer_id"] == "basket"
    assert basket["occurred_at"] == utc("2026-11-23T10:00:00+00:00")
    assert basket["expires_at"] == utc("2026-11-25T10:00:00+00:00")
    assert basket["context"] == {
        "items": [
            {
                "product_id": "p_helmet",
                "name": "Helmet",
                "price": 50.0,
                "currency": "EUR",
                "url": "https://shop.example/p_helmet",
                "image_url": "https://img.example/p_helmet.jpg",
                "quantity": 2,
            },
            {
                "product_id": "p_socks",
                "name": "Socks",
                "price": 10.0,
                "currency": "EUR",
                "url": "https://shop.example/p_socks",
                "image_url": "https://img.example/p_socks.jpg",
                "quantity": 1,
            },
        ],
        "last_activity_at": "2026-11-23T10:00:00+00:00",
    }


def test_a_basket_is_listed_from_one_hour_to_48_hours_after_the_last_cart_activity(at_as_of):
    assert customers(at_as_of["trg_abandoned_basket"]) == {"basket", "basket_1h", "basket_48h"}


def test_a_basket_30_minutes_old_waits_and_one_49_hours_old_is_gone(at_as_of):
    listed = customers(at_as_of["trg_abandoned_basket"])
    assert "basket_fresh" not in listed
    assert "basket_49h" not in listed


def test_a_waiting_basket_is_listed_once_an_hour_has_passed(built_at):
    half_an_hour_later = built_at(HALF_AN_HOUR_LATER, "+trg_abandoned_basket")
    assert "basket_fresh:bf1" in half_an_hour_later["trg_abandoned_basket"]


def test_an_order_after_the_cart_activity_cancels_the_basket(at_as_of):
    assert "basket_ordered" not in customers(at_as_of["trg_abandoned_basket"])


def test_a_basket_whose_items_were_all_removed_is_not_listed(at_as_of):
    assert "basket_emptied" not in customers(at_as_of["trg_abandoned_basket"])


# Product interest


def test_four_views_of_a_product_within_72_hours_trigger_the_interest_occurrence(at_as_of):
    interest = at_as_of["trg_product_interest"]["views4:p_boots:20261123T100000"]
    assert interest["occurred_at"] == utc("2026-11-23T10:00:00+00:00")
    assert interest["expires_at"] == utc("2026-11-30T10:00:00+00:00")
    assert interest["context"] == {
        "product": {
            "product_id": "p_boots",
            "name": "Boots",
            "price": 89.9,
            "currency": "EUR",
            "url": "https://shop.example/p_boots",
            "image_url": "https://img.example/p_boots.jpg",
        },
        "views": 4,
    }


def test_three_views_in_72_hours_or_four_spread_over_more_do_not_trigger(at_as_of):
    listed = customers(at_as_of["trg_product_interest"])
    assert "views3" not in listed
    assert "views_spread" not in listed


def test_a_purchase_of_the_product_after_the_views_cancels_the_interest(at_as_of):
    listed = customers(at_as_of["trg_product_interest"])
    assert "views_bought" not in listed
    assert "views_bought_before" in listed, "a purchase before the views does not cancel"


def test_a_second_burst_of_views_within_30_days_gives_no_new_occurrence(built_at, at_as_of):
    assert set(built_at(EARLY)["trg_product_interest"]) == {"burst:p_boots:20261103T120000"}
    assert "burst" not in customers(at_as_of["trg_product_interest"])
    assert set(at_as_of["trg_product_interest"]) == {
        "views4:p_boots:20261123T100000",
        "views_bought_before:p_boots:20261123T080000",
    }


# In-store cross-sell


def test_a_store_purchase_identified_by_loyalty_card_only_still_cross_sells(at_as_of):
    cross_sells = at_as_of["trg_instore_cross_sell"]
    assert set(cross_sells) == {"TX-card:p_trousers"}
    offer = cross_sells["TX-card:p_trousers"]
    assert offer["customer_id"] == "card_only"
    assert offer["occurred_at"] == utc("2026-11-21T14:00:00+00:00")
    assert offer["expires_at"] == utc("2026-11-28T14:00:00+00:00")
    assert offer["context"] == {
        "purchased": {"product_id": "p_trousers", "name": "Trousers", "color": "black"},
        "match": {
            "product_id": "p_jacket",
            "name": "Jacket",
            "color": "black",
            "price": 120.0,
            "currency": "EUR",
            "url": "https://shop.example/p_jacket",
            "image_url": "https://img.example/p_jacket.jpg",
        },
        "store_id": "S-PARIS",
        "transaction_id": "TX-card",
    }


def test_a_customer_who_already_owns_the_matching_jacket_gets_nothing(at_as_of):
    assert "owns_jacket" not in customers(at_as_of["trg_instore_cross_sell"])


def test_a_store_purchase_exactly_seven_days_old_no_longer_cross_sells(at_as_of):
    assert "week_old" not in customers(at_as_of["trg_instore_cross_sell"])


# Vehicles


def test_a_vehicle_delivered_within_the_last_seven_local_days_is_welcomed(at_as_of):
    welcomes = at_as_of["trg_vehicle_welcome"]
    assert set(welcomes) == {"v_delivered_today", "v_delivered_6d"}
    welcome = welcomes["v_delivered_6d"]
    assert welcome["occurred_at"] == utc("2026-11-17T00:00:00+01:00")
    assert welcome["expires_at"] == utc("2026-11-24T00:00:00+01:00")
    assert welcome["context"] == {
        "vehicle_id": "v_delivered_6d",
        "make": "Peugeot",
        "model": "208",
        "model_year": 2026,
        "delivered_at": "2026-11-17",
    }


def test_a_service_due_within_14_days_or_up_to_30_days_overdue_is_reminded(at_as_of):
    reminders = at_as_of["trg_service_reminder"]
    assert set(reminders) == {"v_due_14d:2026-12-07", "v_overdue_30d:2026-10-24"}
    due = reminders["v_due_14d:2026-12-07"]
    assert due["context"]["due_date"] == "2026-12-07"
    assert due["context"]["overdue_days"] == 0
    assert due["occurred_at"] == utc("2026-11-23T00:00:00+01:00")
    assert due["expires_at"] == utc("2027-01-07T00:00:00+01:00")
    assert reminders["v_overdue_30d:2026-10-24"]["context"]["overdue_days"] == 30


def test_a_service_due_in_15_days_or_31_days_overdue_is_not_reminded(at_as_of):
    listed = {row["context"]["vehicle_id"] for row in at_as_of["trg_service_reminder"].values()}
    assert "v_due_15d" not in listed
    assert "v_overdue_31d" not in listed


def test_a_renewal_is_prompted_from_the_third_anniversary_for_30_days(at_as_of):
    renewals = at_as_of["trg_vehicle_renewal"]
    assert set(renewals) == {"v_renewal_today", "v_renewal_30d"}
    today = renewals["v_renewal_today"]
    assert today["occurred_at"] == utc("2026-11-23T00:00:00+01:00")
    assert today["expires_at"] == utc("2026-12-24T00:00:00+01:00")
    assert today["context"]["years"] == 3
    assert today["context"]["delivered_at"] == "2023-11-23"


def test_the_satisfaction_survey_starts_seven_days_after_delivery_for_a_week(at_as_of):
    surveys = at_as_of["trg_satisfaction_survey"]
    assert set(surveys) == {"v_delivered_7d", "v_delivered_13d"}
    survey = surveys["v_delivered_7d"]
    assert survey["occurred_at"] == utc("2026-11-23T00:00:00+01:00")
    assert survey["expires_at"] == utc("2026-11-30T00:00:00+01:00")


def test_every_vehicle_delivered_by_today_enrols_until_three_years_and_a_month_on(at_as_of):
    delivered = at_as_of["trg_vehicle_delivered"]
    assert {"v_delivered_today", "v_renewal_30d", "v_renewal_tomorrow"} <= set(delivered)
    # not yet delivered, or delivered more than 3 years and 31 days ago (2019)
    assert not {"v_delivered_tomorrow", "v_renewal_31d", "v_due_14d"} & set(delivered)
    today = delivered["v_delivered_today"]
    assert today["occurred_at"] == utc("2026-11-23T00:00:00+01:00")
    assert today["expires_at"] == utc("2029-12-24T00:00:00+01:00")
    assert today["context"]["delivered_at"] == "2026-11-23"
    assert today["context"]["years"] == 3


# New customers


def test_a_customer_created_in_the_last_seven_days_without_an_order_is_new(at_as_of):
    new = at_as_of["trg_new_customer"]
    assert set(new) == {"new_3d"}
    row = new["new_3d"]
    assert row["occurred_at"] == utc("2026-11-20T10:00:00+00:00")
    assert row["expires_at"] == utc("2026-11-27T10:00:00+00:00")
    assert row["context"]["created_at"] == "2026-11-20"
    assert len(row["context"]["bestsellers"]) <= 3
    assert all(
        {"name", "price", "currency", "url"} <= set(p) for p in row["context"]["bestsellers"]
    )


# Segments and their snapshot


def test_lapsed_customers_have_two_orders_and_none_in_the_last_90_local_days(at_as_of):
    members = at_as_of["seg_lapsed_customers"]
    assert set(members) == {"lapsed"}
    lapsed = members["lapsed"]
    assert lapsed["entered_at"] == utc("2026-11-23T00:00:00+01:00")
    assert lapsed["context"] == {
        "orders_count": 2,
        "last_order_at": "2026-08-24T10:00:00+00:00",
    }


def test_the_membership_snapshot_records_an_entry_and_an_exit_across_two_builds(
    pg_server, tmp_path
):
    datamart = Datamart(pg_server, "dbt_segments_snapshot_test", tmp_path)
    history = (
        "select customer_id, dbt_valid_from, dbt_valid_to "
        "from snapshots.seg_lapsed_customers_snapshot order by customer_id, dbt_valid_from"
    )

    datamart.build(AS_OF, "+seg_lapsed_customers_snapshot")
    assert datamart.rows(history) == [
        {
            "customer_id": "lapsed",
            "dbt_valid_from": utc("2026-11-23T00:00:00+01:00"),
            "dbt_valid_to": None,
        }
    ]

    datamart.build(LATER, "+seg_lapsed_customers_snapshot")
    assert datamart.rows(history) == [
        {
            "customer_id": "lapsed",
            "dbt_valid_from": utc("2026-11-23T00:00:00+01:00"),
            "dbt_valid_to": utc(LATER),
        },
        {
            "customer_id": "lapsed_90",
            "dbt_valid_from": utc("2026-11-24T00:00:00+01:00"),
            "dbt_valid_to": None,
        },
    ]


# Replays


def test_building_the_same_as_of_again_gives_the_same_occurrences(datamart, built_at, at_as_of):
    built_at(EARLY)  # another instant in between
    datamart.build(AS_OF)
    for model in TRIGGERS:
        assert datamart.occurrences(model) == at_as_of[model], model
