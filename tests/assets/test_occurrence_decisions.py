"""Judging occurrences on a real PostgreSQL: consent, holdout, cooldown, weekly cap, send window
and expiry, each occurrence ending in exactly one recorded outcome (docs/architecture.md,
Outcomes and Sending invariants).

The trigger tables and the two relations the judgement reads from the datamart
(marts.dim_customers, intermediate.int_contact_suppressions) are crafted here as plain tables,
so these tests pin the judgement itself; tests/e2e runs it on the real dbt models.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, time, timedelta

import psycopg
import pytest
from psycopg.types.json import Jsonb

from assets.occurrence_decisions import CampaignPolicy, decide_occurrences
from warehouse.messaging_schema import migrate_messaging

AS_OF = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)  # 13:00 in Paris, 04:00 in Los Angeles

DATAMART = """
create schema marts;
create schema intermediate;
create schema triggers;
create table marts.dim_customers (
    customer_id text primary key, timezone text, can_email boolean, can_sms boolean,
    favoured_channel text
);
create table intermediate.int_contact_suppressions (
    customer_id text, channel text, reason text, suppressed_since timestamptz
);
"""


def policy(campaign: str = "welcome", **overrides) -> CampaignPolicy:
    values = dict(
        campaign=campaign,
        source_schema="triggers",
        source_model=f"trg_{campaign}",
        channel="email",
        priority=10,
        window_start=time(9),
        window_end=time(20),
        cooldown=timedelta(0),
        expiry=None,
        holdout=0.0,
        marketing=True,
    )
    return CampaignPolicy(**{**values, **overrides})


@pytest.fixture
def conn(database_url):
    migrate_messaging(database_url)
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute(DATAMART)
        yield conn


def add_customer(
    conn, customer_id, timezone="Europe/Paris", can_email=True, can_sms=True, favoured=None
):
    conn.execute(
        "insert into marts.dim_customers values (%s, %s, %s, %s, %s)",
        (customer_id, timezone, can_email, can_sms, favoured),
    )


def add_trigger(conn, campaign, rows):
    conn.execute(
        f"create table if not exists triggers.trg_{campaign} (occurrence_key text, "
        "customer_id text, occurred_at timestamptz, expires_at timestamptz, context jsonb)"
    )
    for key, customer_id, occurred_at in rows:
        conn.execute(
            f"insert into triggers.trg_{campaign} values (%s, %s, %s, %s, %s)",
            (key, customer_id, occurred_at, occurred_at + timedelta(days=7), Jsonb({})),
        )


def outcomes(conn, campaign=None):
    rows = conn.execute(
        "select occurrence_key, outcome, reason, send_after from messaging.occurrences "
        "where %(campaign)s::text is null or campaign = %(campaign)s order by 1",
        {"campaign": campaign},
    ).fetchall()
    return {key: (outcome, reason, send_after) for key, outcome, reason, send_after in rows}


def test_a_customer_without_consent_is_recorded_no_consent_and_never_queued(conn):
    add_customer(conn, "c1", can_email=False)
    add_trigger(conn, "welcome", [("k1", "c1", AS_OF - timedelta(hours=1))])

    decide_occurrences(conn, [policy()], AS_OF)

    outcome, reason, send_after = outcomes(conn)["k1"]
    assert (outcome, send_after) == ("no_consent", None)
    assert "email" in reason


def test_an_unsubscribed_address_is_suppressed_even_with_crm_consent(conn):
    add_customer(conn, "c1")
    conn.execute(
        "insert into intermediate.int_contact_suppressions values ('c1', 'email', "
        "'unsubscribed', now())"
    )
    add_trigger(conn, "welcome", [("k1", "c1", AS_OF - timedelta(hours=1))])

    decide_occurrences(conn, [policy()], AS_OF)

    assert outcomes(conn)["k1"][:2] == ("no_consent", "email unsubscribed")


def test_best_falls_back_to_sms_when_email_is_not_allowed(conn):
    add_customer(conn, "c1", can_email=False, can_sms=True)
    add_trigger(conn, "birthday", [("k1", "c1", AS_OF - timedelta(hours=1))])

    decide_occurrences(conn, [policy("birthday", channel="best")], AS_OF)

    channel = conn.execute("select channel from messaging.occurrences").fetchone()[0]
    assert channel == "sms"


def test_best_is_the_favoured_channel_where_it_is_allowed_else_email(conn):
    add_customer(conn, "texter", favoured="sms")
    add_customer(conn, "texter_stopped", favoured="sms")
    add_customer(conn, "reader", favoured="email")
    add_customer(conn, "unmeasured")
    conn.execute(
        "insert into intermediate.int_contact_suppressions values ('texter_stopped', 'sms', "
        "'opted_out', now())"
    )
    add_trigger(
        conn,
        "birthday",
        [
            (name, name, AS_OF - timedelta(hours=1))
            for name in ("texter", "texter_stopped", "reader", "unmeasured")
        ],
    )

    decide_occurrences(conn, [policy("birthday", channel="best")], AS_OF)

    channels = dict(conn.execute("select customer_id, channel from messaging.occurrences"))
    assert channels == {
        "texter": "sms",
        "texter_stopped": "email",
        "reader": "email",
        "unmeasured": "email",
    }


def test_judging_the_same_as_of_twice_adds_nothing(conn):
    add_customer(conn, "c1")
    add_trigger(conn, "welcome", [("k1", "c1", AS_OF - timedelta(hours=1))])

    first = decide_occurrences(conn, [policy()], AS_OF)
    second = decide_occurrences(conn, [policy()], AS_OF)

    assert sum(first["welcome"].values()) == 1
    assert sum(second["welcome"].values()) == 0
    assert conn.execute("select count(*) from messaging.occurrences").fetchone()[0] == 1


def holdout_value(campaign: str, customer_id: str) -> float:
    digest = hashlib.sha256(f"{campaign}:{customer_id}".encode()).hexdigest()
    return int(digest[:8], 16) / 2**32


def test_the_holdout_is_the_design_formula(conn):
    customers = [f"c{i}" for i in range(200)]
    for customer_id in customers:
        add_customer(conn, customer_id)
    add_trigger(conn, "welcome", [(f"k-{c}", c, AS_OF - timedelta(hours=1)) for c in customers])

    decide_occurrences(conn, [policy(holdout=0.25)], AS_OF)

    judged = outcomes(conn)
    expected = {c for c in customers if holdout_value("welcome", c) < 0.25}
    held_out = {key[2:] for key, (outcome, _, _) in judged.items() if outcome == "held_out"}
    assert held_out == expected
    assert 20 < len(held_out) < 80


def test_a_recipient_at_three_in_the_morning_is_deferred_to_nine_local(conn):
    add_customer(conn, "la", timezone="America/Los_Angeles")  # 04:00 local at AS_OF
    add_trigger(conn, "welcome", [("k1", "la", AS_OF - timedelta(hours=1))])
    at_three_local = datetime(2026, 11, 23, 11, 0, tzinfo=UTC)

    decide_occurrences(conn, [policy()], at_three_local)

    outcome, reason, send_after = outcomes(conn)["k1"]
    assert outcome == "deferred"
    assert reason == "outside the send window"
    assert send_after == datetime(2026, 11, 23, 17, 0, tzinfo=UTC)  # 09:00 in Los Angeles


def test_a_recipient_in_the_evening_waits_for_the_next_morning(conn):
    add_customer(conn, "tokyo", timezone="Asia/Tokyo")  # 21:00 local at AS_OF
    add_trigger(conn, "welcome", [("k1", "tokyo", AS_OF - timedelta(hours=1))])

    decide_occurrences(conn, [policy()], AS_OF)

    assert outcomes(conn)["k1"][2] == datetime(2026, 11, 24, 0, 0, tzinfo=UTC)  # 09:00 JST


def test_inside_the_window_the_message_is_queued_for_now(conn):
    add_customer(conn, "paris")
    add_trigger(conn, "welcome", [("k1", "paris", AS_OF - timedelta(hours=1))])

    decide_occurrences(conn, [policy()], AS_OF)

    assert outcomes(conn)["k1"] == ("queued", None, AS_OF)


def test_an_occurrence_past_its_expiry_is_recorded_expired(conn):
    add_customer(conn, "paris")
    add_trigger(conn, "welcome", [("old", "paris", AS_OF - timedelta(days=8))])

    decide_occurrences(conn, [policy()], AS_OF)

    assert outcomes(conn)["old"][0] == "expired"


def test_a_deferral_past_the_expiry_is_expired_not_sent_late(conn):
    add_customer(conn, "la", timezone="America/Los_Angeles")
    add_trigger(conn, "basket", [("k1", "la", AS_OF - timedelta(hours=2))])

    decide_occurrences(conn, [policy("basket", expiry=timedelta(hours=4))], AS_OF)

    assert outcomes(conn)["k1"][:2] == ("expired", "the send window opens only after expiry")


def test_over_the_weekly_cap_the_lower_priority_campaign_is_capped(conn):
    add_customer(conn, "c1")
    campaigns = {"alpha": 40, "beta": 30, "gamma": 20, "delta": 10}
    for name in campaigns:
        add_trigger(conn, name, [(f"{name}-1", "c1", AS_OF - timedelta(hours=1))])

    decide_occurrences(
        conn, [policy(name, priority=p) for name, p in campaigns.items()], AS_OF, max_per_week=3
    )

    judged = outcomes(conn)
    assert [judged[f"{n}-1"][0] for n in campaigns] == ["queued", "queued", "queued", "capped"]
    assert "weekly cap of 3" in judged["delta-1"][1]


def test_messages_of_earlier_runs_count_towards_the_weekly_cap(conn):
    add_customer(conn, "c1")
    for day in range(3):
        name = f"earlier{day}"
        add_trigger(conn, name, [(f"{name}-1", "c1", AS_OF - timedelta(days=day, hours=1))])
        decide_occurrences(conn, [policy(name)], AS_OF - timedelta(days=day))
    add_trigger(conn, "late", [("late-1", "c1", AS_OF - timedelta(hours=1))])

    decide_occurrences(conn, [policy("late", priority=99)], AS_OF, max_per_week=3)

    assert outcomes(conn, "late")["late-1"][0] == "capped"


def test_within_the_cooldown_a_second_occurrence_is_capped(conn):
    add_customer(conn, "c1")
    add_trigger(
        conn,
        "interest",
        [("shoes", "c1", AS_OF - timedelta(hours=3)), ("hat", "c1", AS_OF - timedelta(hours=1))],
    )

    decide_occurrences(conn, [policy("interest", cooldown=timedelta(days=30))], AS_OF)

    judged = outcomes(conn)
    assert judged["shoes"][0] == "queued"
    assert judged["hat"][:2] == (
        "capped",
        "cooldown: a message of this campaign was sent within 30 days",
    )


def test_every_occurrence_gets_exactly_one_outcome(conn):
    for i, tz in enumerate(["Europe/Paris", "America/Los_Angeles", "Asia/Tokyo"]):
        add_customer(conn, f"c{i}", timezone=tz, can_email=i != 2)
    add_trigger(
        conn,
        "welcome",
        [(f"k{i}-{j}", f"c{i}", AS_OF - timedelta(days=j * 3)) for i in range(3) for j in range(4)]
        + [("ghost", "unknown", AS_OF - timedelta(hours=1))],
    )

    counts = decide_occurrences(conn, [policy(holdout=0.3, cooldown=timedelta(days=1))], AS_OF)

    assert sum(counts["welcome"].values()) == 13
    assert conn.execute("select count(*) from messaging.occurrences").fetchone()[0] == 13
    assert outcomes(conn)["ghost"][:2] == ("no_consent", "customer unknown to the CRM")
