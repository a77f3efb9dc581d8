"""The built-in journeys end to end: crafted landing files → the real definitions' assets up to
the journeys (ingest, dbt, journeys; no dispatch) at several as-of instants, on the embedded
PostgreSQL. One module-scoped timeline, read by the tests in order:

- T1, Wednesday 21 October 2026, 11:00 in Paris: VEH1 and VEH2 took delivery the day before
  (welcome); VEH3's car turns three (renewal; every earlier step is past, so recorded expired);
  VEH4's first service is due in 10 days (the service reminder, 14 days before, is sendable);
  BSK1, BSK2 and BSK3 left a basket three hours earlier (basket e-mail).
- T2 = T1 + 25 h: BSK2 clicked the basket e-mail, BSK3 ordered, BSK1 did neither (SMS).
- T3, 27 October 11:00 in Paris, after the end of summer time: the survey SMS, 7 local days
  after delivery.
- T4, 30 October: VEH2 replied to the survey, VEH1 did not (survey e-mail).
- T5, 3 November: VEH1 took delivery of another car (the first cycle ends, a new one starts);
  the CRM recorded VEH4's service (the next reminder moves a year on).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import psycopg
import pytest
from dagster import (
    DagsterInstance,
)

from models.landing import CATALOG_PRODUCTS, CRM_VEHICLES
from tests.assets.landing_files import (
    csv_text,
    customer,
    customers_csv,
    held_out,
    jsonl,
    vehicle,
    web_event,
    write,
)
from tests.e2e.pipelines import all_but_dispatch, fresh_database

T1 = datetime(2026, 10, 21, 9, 0, tzinfo=UTC)  # 11:00 in Paris (summer time)
T2 = T1 + timedelta(hours=25)
T3 = datetime(2026, 10, 27, 10, 0, tzinfo=UTC)  # 11:00 in Paris (winter time)
T4 = datetime(2026, 10, 30, 11, 0, tzinfo=UTC)
T5 = datetime(2026, 11, 3, 10, 0, tzinfo=UTC)
DELIVERED = date(2026, 10, 20)
SERVICE_DUE = date(2026, 10, 31)  # VEH4's car: delivered a year before, never serviced yet


def sms_taker(customer_id: str, number: int) -> dict:
    return customer(customer_id, phone=f"+336123456{number:02d}", sms_opt_in="true")


def craft_landing(root: Path) -> None:
    write(
        root,
        "crm/customers/customers.csv",
        customers_csv(
            sms_taker("VEH1", 1),
            sms_taker("VEH2", 2),
            customer("VEH3"),
            customer("VEH4"),
            sms_taker("BSK1", 3),
            sms_taker("BSK2", 4),
            sms_taker("BSK3", 5),
        ),
    )
    write(root, "crm/vehicles/vehicles.csv", csv_text(CRM_VEHICLES, vehicles()))
    write(
        root,
        "catalog/products/catalog.csv",
        csv_text(
            CATALOG_PRODUCTS,
            [
                {
                    "product_id": "P2",
                    "name": "Navy blazer",
                    "category": "jacket",
                    "color": "navy",
                    "price": "189.00",
                    "currency": "EUR",
                    "url": "https://shop.example.com/p2",
                }
            ],
        ),
    )
    carts = [
        web_event(
            f"cart-{name}",
            anonymous_id=f"anon-{name}",
            customer_id=name,
            type="add_to_cart",
            product_id="P2",
            occurred_at=(T1 - timedelta(hours=3)).isoformat(),
            properties={"quantity": 1},
        )
        for name in ("BSK1", "BSK2", "BSK3")
    ]
    order = web_event(
        "order-BSK3",
        anonymous_id="anon-BSK3",
        customer_id="BSK3",
        type="order_completed",
        order_id="O1",
        revenue=189.0,
        currency="EUR",
        occurred_at=(T1 + timedelta(hours=2)).isoformat(),
        properties={"items": [{"product_id": "P2", "quantity": 1, "price": 189.0}]},
    )
    write(root, "web/events/carts.jsonl", jsonl(*carts, order))


def vehicles(*more: dict) -> list[dict]:
    return [
        vehicle("V1", "VEH1", DELIVERED),
        vehicle("V2", "VEH2", DELIVERED),
        vehicle("V3", "VEH3", date(2023, 10, 18)),
        vehicle("V5", "VEH4", date(2025, 10, 31)),
        *more,
    ]


@pytest.fixture(scope="module")
def timeline(pg_server, dbt_manifest, tmp_path_factory):
    from models.as_of import as_of_tags
    from orchestration.settings import load_settings

    url = fresh_database(pg_server, "e2e_journeys")
    landing = tmp_path_factory.mktemp("landing")
    craft_landing(landing)
    settings = load_settings().model_copy(update=dict(database_url=url, landing=str(landing)))
    job = all_but_dispatch(settings)
    instance = DagsterInstance.ephemeral()

    def run(as_of: datetime):
        result = job.execute_in_process(tags=as_of_tags(as_of), instance=instance)
        assert result.success
        return result

    with psycopg.connect(url, autocommit=True) as conn:
        yield Timeline(conn, landing, run)


class Timeline:
    def __init__(self, conn, landing: Path, run) -> None:
        self.conn, self.landing, self.run = conn, landing, run

    def messages(self, customer_id: str) -> list[tuple[str, str]]:
        return self.conn.execute(
            "select campaign, outcome from messaging.occurrences where customer_id = %s"
            " order by occurred_at, campaign",
            (customer_id,),
        ).fetchall()

    def enrolment(self, customer_id: str, journey: str) -> tuple:
        return self.conn.execute(
            "select status, step, reason from messaging.journey_enrolments"
            " where customer_id = %s and journey = %s order by enrolment_id desc limit 1",
            (customer_id, journey),
        ).fetchone()

    def react(self, customer_id: str, campaign: str, kind: str, at: datetime, **detail) -> None:
        self.conn.execute(
            "insert into messaging.message_events (message_id, customer_id, channel, type,"
            " occurred_at, detail) select message_id, customer_id, channel, %s, %s, %s::jsonb"
            " from messaging.outbox where customer_id = %s and campaign = %s",
            (kind, at, psycopg.types.json.Jsonb(detail), customer_id, campaign),
        )


def test_t1_new_owners_are_welcomed_and_a_three_year_old_car_gets_the_renewal_prompt(timeline):
    assert not held_out("vehicle_renewal", "VEH3", 0.1)
    timeline.run(T1)

    assert timeline.messages("VEH1") == [("vehicle_welcome", "queued")]
    assert timeline.enrolment("VEH1", "vehicle_lifecycle")[:2] == ("active", "first_week")
    renewal_only = timeline.messages("VEH3")
    assert ("vehicle_renewal", "queued") in renewal_only
    assert {outcome for campaign, outcome in renewal_only if campaign != "vehicle_renewal"} == {
        "expired"
    }
    assert timeline.enrolment("VEH3", "vehicle_lifecycle")[0] == "completed"


def test_t1_the_survey_wait_ends_at_local_midnight_seven_days_on_across_the_clock_change(
    timeline,
):
    due = timeline.conn.execute(
        "select due_at from messaging.journey_enrolments where customer_id = 'VEH1'"
    ).fetchone()[0]
    # 27 October 00:00 in Paris is 23:00 UTC on the 26th (winter time); delivery's midnight
    # was 22:00 UTC (summer time): seven local days are 169 hours here.
    assert due == datetime(2026, 10, 26, 23, 0, tzinfo=UTC)


def test_t1_a_service_due_in_ten_days_gets_its_reminder_and_the_cycle_waits_for_the_next(
    timeline,
):
    reminder = timeline.conn.execute(
        "select o.outcome, o.marketing, o.context ->> 'due_date' from messaging.occurrences as o"
        " where o.customer_id = 'VEH4' and o.campaign = 'service_reminder'"
    ).fetchall()
    waiting = timeline.conn.execute(
        "select step, due_at from messaging.journey_enrolments where customer_id = 'VEH4'"
    ).fetchone()

    assert reminder == [("queued", False, SERVICE_DUE.isoformat())]
    # the reminded date does not come again: next is the third anniversary (Paris midnight)
    assert waiting == ("next_date", datetime(2028, 10, 30, 23, 0, tzinfo=UTC))


def test_t1_abandoned_baskets_get_the_basket_email(timeline):
    for name in ("BSK1", "BSK2", "BSK3"):
        assert timeline.messages(name) == [("abandoned_basket", "queued")], name


def test_t2_unclicked_baskets_get_the_sms_clicked_ones_exit_and_an_order_ends_the_journey(
    timeline,
):
    timeline.react("BSK2", "abandoned_basket", "clicked", T1 + timedelta(hours=4))
    timeline.run(T2)

    assert timeline.messages("BSK1")[-1] == ("basket_recovery.basket_sms", "queued")
    assert timeline.enrolment("BSK1", "basket_recovery")[0] == "completed"
    assert timeline.enrolment("BSK2", "basket_recovery") == ("exited", "answered", "clicked")
    assert timeline.enrolment("BSK3", "basket_recovery")[::2] == ("exited", "order")
    assert len(timeline.messages("BSK2")) == len(timeline.messages("BSK3")) == 1


def test_t3_the_survey_sms_goes_seven_local_days_after_delivery(timeline):
    timeline.run(T3)

    assert timeline.messages("VEH1")[-1] == ("satisfaction_survey", "queued")
    assert timeline.enrolment("VEH1", "vehicle_lifecycle")[:2] == ("active", "three_days")


def test_t4_no_reply_within_three_days_gets_the_survey_by_email_a_reply_does_not(timeline):
    timeline.react(
        "VEH2", "satisfaction_survey", "survey_answered", T3 + timedelta(hours=1), score=9
    )
    timeline.run(T4)

    assert timeline.messages("VEH1")[-1] == ("vehicle_lifecycle.survey_email", "queued")
    assert "vehicle_lifecycle.survey_email" not in dict(timeline.messages("VEH2"))
    assert timeline.enrolment("VEH2", "vehicle_lifecycle")[:2] == ("active", "next_date")
    steps = timeline.conn.execute(
        "select campaign, count(*) from messaging.occurrences where customer_id = 'VEH1'"
        " group by 1 having count(*) > 1"
    ).fetchall()
    assert steps == []  # never two messages for one step


def test_t5_another_delivery_ends_the_cycle_and_starts_one_for_the_new_car(timeline):
    serviced = {**vehicle("V5", "VEH4", date(2025, 10, 31)), "last_service_at": "2026-11-02"}
    write(
        timeline.landing,
        "crm/vehicles/vehicles_2.csv",
        csv_text(CRM_VEHICLES, [*vehicles(vehicle("V4", "VEH1", date(2026, 11, 2))), serviced]),
    )
    timeline.run(T5)

    ended, current = timeline.conn.execute(
        "select status, reason, entry_key from messaging.journey_enrolments"
        " where customer_id = 'VEH1' order by enrolment_id"
    ).fetchall()
    assert ended == ("exited", "entered_again", "V1")
    assert current == ("active", None, "V4")
    assert timeline.messages("VEH1")[-1] == ("vehicle_welcome", "queued")


def test_t5_a_service_recorded_in_the_crm_moves_the_next_reminder_a_year_on(timeline):
    step, due_at = timeline.conn.execute(
        "select step, due_at from messaging.journey_enrolments where customer_id = 'VEH4'"
    ).fetchone()

    assert step == "next_date"
    assert due_at == datetime(2027, 10, 18, 22, 0, tzinfo=UTC)  # 14 days before 2 Nov 2027
    assert [c for c, _ in timeline.messages("VEH4")].count("service_reminder") == 1
