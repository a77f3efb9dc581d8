"""The journey engine on a real PostgreSQL, over crafted timelines at several as-of instants:
enrolment, waits on the customer's calendar (across a change of summer time), branches both
ways, exits on a goal, versions with customers in flight, splits, and exactly one message a
step however often a journey is advanced."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import psycopg
import pytest

from assets.journey_engine import STALE_AFTER
from orchestration.journey_explain import explain
from orchestration.journey_history import read_history
from tests.assets.journey_datamart import (
    add_customer,
    add_entry,
    add_order,
    advance,
    create_datamart,
    messages,
    step_of,
    write_journey,
)
from warehouse.messaging_schema import migrate_messaging

AS_OF = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)

ONBOARDING = """
name: onboarding
description: A hello; a thank-you to those who clicked it, an SMS nudge to the others.
entry: {trigger: trg_signup}
priority: 50
conversion: {goal: order, window_days: 7}
send_window: {start: "00:00", end: "23:59"}
exit_when: [order, unsubscribed]
steps:
  - id: hello
    message: {channel: email}
  - id: three_days
    wait: {for: 3d}
  - id: clicked_hello
    branch:
      if: {reaction: clicked, step: hello, within: 3d}
      then: thanks
      else: nudge
  - id: nudge
    message: {channel: sms}
  - id: nudged
    exit: {reason: nudged}
  - id: thanks
    message: {channel: email}
"""
ONBOARDING_TEMPLATES = {"hello": "email", "nudge": "sms", "thanks": "email"}


@pytest.fixture
def conn(database_url):
    migrate_messaging(database_url)
    with psycopg.connect(database_url, autocommit=True) as conn:
        create_datamart(conn)
        yield conn


@pytest.fixture
def onboarding(tmp_path):
    return write_journey(tmp_path, ONBOARDING, ONBOARDING_TEMPLATES)


def click(conn, customer_id: str, campaign: str, at: datetime) -> None:
    conn.execute(
        "insert into messaging.message_events (message_id, customer_id, channel, type,"
        " occurred_at) select message_id, customer_id, channel, 'clicked', %s"
        " from messaging.outbox where customer_id = %s and campaign = %s",
        (at, customer_id, campaign),
    )


def test_an_entry_enrols_its_customer_who_gets_the_first_message_rendered_with_journey_headers(
    conn, tmp_path, onboarding
):
    add_customer(conn, "ada")
    add_entry(conn, "signup:ada", "ada", AS_OF - timedelta(hours=1))

    result = advance(conn, tmp_path, [onboarding], AS_OF)

    assert result.advance.entered == 1
    assert messages(conn, "ada") == [("onboarding.hello", "queued")]
    assert step_of(conn, "ada", "onboarding") == ("active", "three_days")
    headers, text = conn.execute("select headers, body_text from messaging.outbox").fetchone()
    assert headers["X-Touchpoint-Campaign"] == "onboarding.hello"
    assert headers["X-Touchpoint-Journey"] == "onboarding"
    assert headers["X-Touchpoint-Journey-Version"] == onboarding.version
    assert headers["X-Touchpoint-Journey-Step"] == "hello"
    assert text == "Step hello"


def test_the_unclicked_get_the_nudge_once_the_window_is_over_and_the_clickers_the_thanks(
    conn, tmp_path, onboarding
):
    for name in ("ada", "bob"):
        add_customer(conn, name)
        add_entry(conn, f"signup:{name}", name, AS_OF - timedelta(hours=1))
    advance(conn, tmp_path, [onboarding], AS_OF)
    click(conn, "ada", "onboarding.hello", AS_OF + timedelta(hours=5))

    advance(conn, tmp_path, [onboarding], AS_OF + timedelta(days=1))
    assert step_of(conn, "bob", "onboarding") == ("active", "three_days")

    advance(conn, tmp_path, [onboarding], AS_OF + timedelta(days=3, hours=1))

    assert messages(conn, "ada") == [
        ("onboarding.hello", "queued"),
        ("onboarding.thanks", "queued"),
    ]
    assert messages(conn, "bob") == [("onboarding.hello", "queued"), ("onboarding.nudge", "queued")]
    assert step_of(conn, "ada", "onboarding") == ("completed", "thanks")
    status, reason = conn.execute(
        "select status, reason from messaging.journey_enrolments where customer_id = 'bob'"
    ).fetchone()
    assert (status, reason) == ("exited", "nudged")


def test_a_wait_of_seven_days_ends_at_the_same_local_hour_across_the_end_of_summer_time(
    conn, tmp_path, onboarding
):
    add_customer(conn, "ada", timezone="Europe/Paris")
    friday_ten_cest = datetime(2026, 10, 23, 8, 0, tzinfo=UTC)  # 10:00 in Paris, UTC+2
    weekly = ONBOARDING.replace(
        "three_days\n    wait: {for: 3d}", "three_days\n    wait: {for: 7d}"
    )
    spec = write_journey(tmp_path, weekly, ONBOARDING_TEMPLATES)
    add_entry(conn, "signup:ada", "ada", friday_ten_cest)

    advance(conn, tmp_path, [spec], friday_ten_cest + timedelta(minutes=5))

    due = conn.execute("select due_at from messaging.journey_enrolments").fetchone()[0]
    assert due == datetime(2026, 10, 30, 9, 0, tzinfo=UTC)  # 10:00 in Paris, now UTC+1
    assert due - friday_ten_cest == timedelta(hours=169)


def test_an_order_mid_journey_ends_the_enrolment_and_no_later_message_goes(
    conn, tmp_path, onboarding
):
    add_customer(conn, "ada")
    add_entry(conn, "signup:ada", "ada", AS_OF - timedelta(hours=1))
    advance(conn, tmp_path, [onboarding], AS_OF)
    add_order(conn, "ada", AS_OF + timedelta(days=1))

    result = advance(conn, tmp_path, [onboarding], AS_OF + timedelta(days=4))

    assert result.advance.ended["exited: order"] == 1
    assert messages(conn, "ada") == [("onboarding.hello", "queued")]
    status, reason = conn.execute(
        "select status, reason from messaging.journey_enrolments"
    ).fetchone()
    assert (status, reason) == ("exited", "order")


def test_advancing_again_and_again_never_gives_a_step_a_second_message(conn, tmp_path, onboarding):
    add_customer(conn, "ada")
    add_entry(conn, "signup:ada", "ada", AS_OF - timedelta(hours=1))
    for hours in (0, 0, 1, 30, 30, 80, 80, 200):
        advance(conn, tmp_path, [onboarding], AS_OF + timedelta(hours=hours))

    assert messages(conn, "ada") == [("onboarding.hello", "queued"), ("onboarding.nudge", "queued")]
    assert conn.execute("select count(*) from messaging.outbox").fetchone()[0] == 2
    assert conn.execute("select count(*) from messaging.journey_enrolments").fetchone()[0] == 1


def test_customers_in_flight_finish_the_version_they_entered(conn, tmp_path, onboarding):
    add_customer(conn, "early")
    add_entry(conn, "signup:early", "early", AS_OF - timedelta(hours=1))
    advance(conn, tmp_path, [onboarding], AS_OF)
    changed = write_journey(
        tmp_path, ONBOARDING.replace("wait: {for: 3d}", "wait: {for: 1d}"), ONBOARDING_TEMPLATES
    )
    assert changed.version != onboarding.version
    add_customer(conn, "late")
    add_entry(conn, "signup:late", "late", AS_OF + timedelta(hours=1))

    advance(conn, tmp_path, [changed], AS_OF + timedelta(hours=2))
    advance(conn, tmp_path, [changed], AS_OF + timedelta(days=2))

    versions = dict(
        conn.execute("select customer_id, version from messaging.journey_enrolments").fetchall()
    )
    assert versions == {"early": onboarding.version, "late": changed.version}
    assert step_of(conn, "early", "onboarding") == ("active", "three_days")
    # the late one's one-day wait is over; it waits for the hello's three-day window now
    assert step_of(conn, "late", "onboarding") == ("active", "clicked_hello")
    outbox_versions = conn.execute(
        "select headers ->> 'X-Touchpoint-Journey-Version' from messaging.outbox"
        " where customer_id = 'early'"
    ).fetchall()
    assert outbox_versions == [(onboarding.version,)]


SPLIT = """
name: split_test
description: One in four customers goes the short way.
entry: {trigger: trg_signup}
priority: 50
conversion: {goal: order, window_days: 7}
steps:
  - id: which_way
    split:
      arms:
        short: {weight: 1, next: short_end}
        long: {weight: 3, next: long_end}
  - id: short_end
    exit: {reason: short}
  - id: long_end
    exit: {reason: long}
"""


def test_a_split_sends_customers_in_proportion_to_the_weights_and_always_the_same_way(
    conn, tmp_path
):
    spec = write_journey(tmp_path, SPLIT, {})
    conn.execute(
        "insert into triggers.trg_signup select 'k' || i, 'c' || i, %s, %s, '{}'"
        " from generate_series(1, 2000) as i",
        (AS_OF - timedelta(hours=1), AS_OF + timedelta(days=1)),
    )

    advance(conn, tmp_path, [spec], AS_OF)

    ways = dict(
        conn.execute("select customer_id, reason from messaging.journey_enrolments").fetchall()
    )
    short = sum(1 for way in ways.values() if way == "short")
    assert 0.22 < short / len(ways) < 0.28
    conn.execute("delete from messaging.journey_transitions")
    conn.execute("delete from messaging.journey_enrolments")
    advance(conn, tmp_path, [spec], AS_OF)
    again = dict(
        conn.execute("select customer_id, reason from messaging.journey_enrolments").fetchall()
    )
    assert again == ways


def test_a_journey_advanced_late_catches_up_in_one_run_past_a_message_that_could_not_go(
    conn, tmp_path, onboarding
):
    add_customer(conn, "ada", can_email=False)
    add_entry(conn, "signup:ada", "ada", AS_OF - timedelta(hours=1))

    advance(conn, tmp_path, [onboarding], AS_OF + timedelta(days=4))

    assert messages(conn, "ada") == [
        ("onboarding.hello", "no_consent"),
        ("onboarding.nudge", "queued"),
    ]
    moved_at = conn.execute(
        "select to_step, moved_at from messaging.journey_transitions order by transition_id"
    ).fetchall()
    # the journey's clock: the wait ended 3 days after the entry, not when the run came
    assert ("clicked_hello", AS_OF - timedelta(hours=1) + timedelta(days=3)) in moved_at


def test_with_move_in_flight_customers_go_on_in_the_new_version_from_the_step_they_are_at(
    conn, tmp_path, onboarding
):
    add_customer(conn, "ada")
    add_entry(conn, "signup:ada", "ada", AS_OF - timedelta(hours=1))
    advance(conn, tmp_path, [onboarding], AS_OF)
    moved = write_journey(
        tmp_path,
        ONBOARDING.replace("wait: {for: 3d}", "wait: {for: 1d}").replace(
            "exit_when:", "move_in_flight: true\nexit_when:"
        ),
        ONBOARDING_TEMPLATES,
    )

    advance(conn, tmp_path, [moved], AS_OF + timedelta(hours=2))

    version, step, due = conn.execute(
        "select version, step, due_at from messaging.journey_enrolments"
    ).fetchone()
    assert (version, step) == (moved.version, "three_days")
    assert due == AS_OF - timedelta(hours=1) + timedelta(days=1)  # the new version's wait
    reasons = [r for (r,) in conn.execute("select reason from messaging.journey_transitions")]
    assert f"moved to version {moved.version}" in reasons


EXPERIMENT = """
name: offer_test
description: Two offers, half the customers each, until a winner is recorded (by hand here).
entry: {trigger: trg_signup}
priority: 50
conversion: {goal: order, window_days: 7}
send_window: {start: "00:00", end: "23:59"}
steps:
  - id: offer
    message:
      channel: email
      experiment:
        control: plain
        winner: manual
        variants:
          plain: {weight: 1}
          bold: {weight: 1}
"""


def test_variants_are_drawn_by_weight_until_a_winner_is_recorded_then_everyone_gets_it(
    conn, tmp_path
):
    spec = write_journey(tmp_path, EXPERIMENT, {"offer": "email"})
    for i in range(40):
        add_customer(conn, f"c{i}")
        add_entry(conn, f"k{i}", f"c{i}", AS_OF - timedelta(hours=1))
    advance(conn, tmp_path, [spec], AS_OF)
    drawn = variants_sent(conn)
    assert set(drawn) == {"plain", "bold"}

    conn.execute(
        "insert into messaging.journey_experiment_winners values"
        " ('offer_test', %s, 'offer', 'bold', %s, '{}')",
        (spec.version, AS_OF),
    )
    for i in range(40, 60):
        add_customer(conn, f"c{i}")
        add_entry(conn, f"k{i}", f"c{i}", AS_OF + timedelta(hours=1))
    advance(conn, tmp_path, [spec], AS_OF + timedelta(hours=2))

    later = variants_sent(conn, since=AS_OF + timedelta(minutes=30))
    assert later == ["bold"] * 20
    assert variants_sent(conn)[:40] == drawn  # those sent before keep what they got
    headers = conn.execute(
        "select headers ->> 'X-Touchpoint-Variant' from messaging.outbox where customer_id = 'c59'"
    ).fetchone()
    assert headers == ("bold",)


def variants_sent(conn, since: datetime | None = None) -> list[str]:
    return [
        variant
        for (variant,) in conn.execute(
            "select context -> 'journey' ->> 'variant' from messaging.occurrences"
            " where occurred_at >= coalesce(%s, '-infinity'::timestamptz)"
            " order by occurred_at, customer_id",
            (since,),
        ).fetchall()
    ]


def test_a_run_killed_mid_advance_leaves_nothing_and_the_next_run_sends_each_step_once(
    conn, tmp_path, onboarding
):
    from assets.journey_engine import advance_journey, record_version, versions_in_flight
    from assets.occurrence_decisions import judge

    add_customer(conn, "ada")
    add_entry(conn, "signup:ada", "ada", AS_OF - timedelta(hours=1))

    def killed(conn, decide):
        record_version(conn, onboarding)
        versions = versions_in_flight(conn, onboarding)
        advance_journey(conn, onboarding, AS_OF, versions, decide)
        decide()
        raise RuntimeError("killed after the advance, before the commit")

    with pytest.raises(RuntimeError, match="killed"):
        judge(conn, AS_OF, 3, killed)
    assert conn.execute("select count(*) from messaging.journey_enrolments").fetchone() == (0,)
    assert messages(conn, "ada") == []

    advance(conn, tmp_path, [onboarding], AS_OF)
    advance(conn, tmp_path, [onboarding], AS_OF)

    assert messages(conn, "ada") == [("onboarding.hello", "queued")]
    assert conn.execute("select count(*) from messaging.outbox").fetchone() == (1,)


AGAIN = ONBOARDING.replace("exit_when: [order, unsubscribed]", "exit_when: [entered_again]")


def test_a_second_entry_even_the_same_day_ends_the_first_enrolment_and_enrols_in_its_place(
    conn, tmp_path
):
    spec = write_journey(tmp_path, AGAIN, ONBOARDING_TEMPLATES)
    add_customer(conn, "ada")
    add_entry(conn, "first", "ada", AS_OF - timedelta(hours=1))
    advance(conn, tmp_path, [spec], AS_OF)
    add_entry(conn, "second", "ada", AS_OF - timedelta(hours=1))

    advance(conn, tmp_path, [spec], AS_OF + timedelta(hours=1))

    enrolments = conn.execute(
        "select entry_key, status, reason from messaging.journey_enrolments order by enrolment_id"
    ).fetchall()
    assert enrolments == [("first", "exited", "entered_again"), ("second", "active", None)]
    assert [c for c, _ in messages(conn, "ada")] == ["onboarding.hello", "onboarding.hello"]


REMINDER = """
name: reminder
description: A hello now, and a reminder two days before the appointment, at half past nine.
entry: {trigger: trg_signup}
priority: 50
conversion: {goal: order, window_days: 7}
send_window: {start: "00:00", end: "23:59"}
steps:
  - id: hello
    message: {channel: email}
  - id: before_it
    wait: {until: appointment, offset: -2d, at: "09:30"}
  - id: reminder
    message: {channel: email}
"""


def test_a_wait_until_a_context_date_reached_from_a_message_ends_at_its_local_hour(conn, tmp_path):
    spec = write_journey(tmp_path, REMINDER, {"hello": "email", "reminder": "email"})
    add_customer(conn, "ada", timezone="Europe/Paris")
    add_entry(conn, "signup:ada", "ada", AS_OF - timedelta(hours=1), {"appointment": "2026-12-10"})

    advance(conn, tmp_path, [spec], AS_OF)
    due = conn.execute("select due_at from messaging.journey_enrolments").fetchone()[0]
    advance(conn, tmp_path, [spec], due)

    assert due == datetime(2026, 12, 8, 8, 30, tzinfo=UTC)  # 09:30 in Paris, two days before
    assert messages(conn, "ada") == [("reminder.hello", "queued"), ("reminder.reminder", "queued")]


def test_an_entry_enrolled_late_after_an_order_exits_at_once_without_a_message(
    conn, tmp_path, onboarding
):
    add_customer(conn, "ada")
    add_entry(conn, "signup:ada", "ada", AS_OF - timedelta(days=2))
    add_order(conn, "ada", AS_OF - timedelta(days=1))

    result = advance(conn, tmp_path, [onboarding], AS_OF)

    assert (result.advance.entered, result.advance.ended["exited: order"]) == (1, 1)
    assert messages(conn, "ada") == []
    assert step_of(conn, "ada", "onboarding") == ("exited", "hello")


SERVICING = """
name: servicing
description: A reminder 14 days before each service due date until the first anniversary.
entry: {trigger: trg_signup, context: latest}
priority: 50
conversion: {goal: order, window_days: 7}
send_window: {start: "00:00", end: "23:59"}
expire_after: 2y
steps:
  - id: next_date
    wait:
      first_of:
        - {until: due, offset: -14d}
        - {until: since, offset: 1y}
  - id: a_year_on
    branch:
      if: {date: since, offset: 1y}
      then: offer
      else: reminder
  - id: reminder
    message: {channel: email, priority: 100, marketing: false, expiry: 45d}
    next: next_date
  - id: offer
    message: {channel: email}
"""


def paris(day: str) -> datetime:
    """Local midnight in Paris."""
    return datetime.fromisoformat(day).replace(tzinfo=ZoneInfo("Europe/Paris"))


def test_a_loop_reminds_once_per_due_date_follows_the_date_the_source_moves_and_ends_on_time(
    conn, tmp_path
):
    spec = write_journey(tmp_path, SERVICING, {"reminder": "email", "offer": "email"})
    add_customer(conn, "ada", timezone="Europe/Paris")
    context = {"since": "2026-01-10", "due": "2026-05-01"}
    add_entry(conn, "car:ada", "ada", paris("2026-01-10"), context, lasts=timedelta(days=800))

    def due_at():
        return conn.execute("select due_at from messaging.journey_enrolments").fetchone()[0]

    advance(conn, tmp_path, [spec], datetime(2026, 2, 1, tzinfo=UTC))
    first_due = due_at()
    for day in (20, 21, 30):  # the reminder, then the reminded date does not come again
        advance(conn, tmp_path, [spec], datetime(2026, 4, day, tzinfo=UTC))
    waiting_for_the_anniversary = due_at()
    shown = explain(read_history(conn, "servicing", "ada", AS_OF), AS_OF)
    conn.execute(  # the service is done: the source moves the next due date on
        'update triggers.trg_signup set context = context || \'{"due": "2026-11-01"}\''
    )
    advance(conn, tmp_path, [spec], datetime(2026, 6, 2, tzinfo=UTC))
    second_due = due_at()
    for day in (datetime(2026, 10, 20, tzinfo=UTC), datetime(2027, 1, 11, tzinfo=UTC)):
        advance(conn, tmp_path, [spec], day)

    assert first_due == paris("2026-04-17")
    assert waiting_for_the_anniversary == paris("2027-01-10")
    assert "a wait (the first to come of due -14d, since 1y)" in shown
    assert "a_year_on -> reminder: since 1y had not come" in shown
    assert "next: the wait ends 2027-01-10 00:00+01:00" in shown
    assert second_due == paris("2026-10-18")
    assert messages(conn, "ada") == [
        ("servicing.reminder", "queued"),
        ("servicing.reminder", "queued"),
        ("servicing.offer", "queued"),
    ]
    assert step_of(conn, "ada", "servicing") == ("completed", "offer")
    marketing = conn.execute(
        "select campaign, marketing from messaging.occurrences order by campaign"
    ).fetchall()
    assert sorted(set(marketing)) == [("servicing.offer", True), ("servicing.reminder", False)]


CHAIN = """
name: chain_test
description: A day's wait, then half to a week's wait and half to the end.
entry: {trigger: trg_signup}
priority: 50
conversion: {goal: order, window_days: 7}
steps:
  - id: a_day
    wait: {for: 1d}
  - id: which_way
    split:
      arms:
        left: {weight: 1, next: a_week}
        right: {weight: 1, next: done}
  - id: a_week
    wait: {for: 7d}
  - id: done
    exit: {reason: done}
"""


def test_a_wait_that_is_over_leads_through_the_split_in_one_run_each_move_on_the_journeys_clock(
    conn, tmp_path
):
    spec = write_journey(tmp_path, CHAIN, {})
    entered = AS_OF - timedelta(days=2)
    for i in range(20):
        add_customer(conn, f"c{i}", timezone="UTC")
        add_entry(conn, f"k{i}", f"c{i}", entered)

    result = advance(conn, tmp_path, [spec], AS_OF).advance

    waited = entered + timedelta(days=1)
    left = [
        (None, "a_day", "entered", entered),
        ("a_day", "which_way", "waited", waited),
        ("which_way", "a_week", "arm left", waited),
    ]
    right = [*left[:2], ("which_way", "done", "arm right", waited), ("done", None, "done", waited)]
    ways = {"a_week": left, "done": right}
    enrolments = conn.execute(
        "select enrolment_id, status, step, arrived_at, due_at from messaging.journey_enrolments"
    ).fetchall()
    for enrolment_id, status, step, arrived_at, due_at in enrolments:
        moves = conn.execute(
            "select from_step, to_step, reason, moved_at from messaging.journey_transitions"
            " where enrolment_id = %s order by transition_id",
            (enrolment_id,),
        ).fetchall()
        assert moves == ways[step]
        assert arrived_at == waited
        assert (status, due_at) in {
            ("active", waited + timedelta(days=7)),
            ("exited", None),
        }
    went_left = result.moves[("which_way", "a_week")]
    assert 0 < went_left < 20
    assert result.moves[("a_day", "which_way")] == 20
    assert result.moves[("which_way", "done")] == result.ended["exited: done"] == 20 - went_left


LOOP = """
name: ticking
description: Every day a coin is tossed, and the customer waits for the next day.
entry: {trigger: trg_signup}
priority: 50
conversion: {goal: order, window_days: 7}
steps:
  - id: a_day
    wait: {for: 1d}
  - id: toss
    split:
      arms:
        heads: {weight: 1, next: a_day}
        tails: {weight: 1, next: a_day}
"""


def test_a_loop_advanced_late_goes_round_once_for_each_wait_that_is_over_in_one_run(conn, tmp_path):
    spec = write_journey(tmp_path, LOOP, {})
    add_customer(conn, "ada", timezone="UTC")
    entered = AS_OF - timedelta(days=80, hours=1)
    conn.execute(
        "insert into triggers.trg_signup values ('signup:ada', 'ada', %s, %s, '{}')",
        (entered, AS_OF + timedelta(days=1)),
    )

    result = advance(conn, tmp_path, [spec], AS_OF).advance

    days = [entered + timedelta(days=day) for day in range(1, 81)]
    waited = conn.execute(
        "select moved_at from messaging.journey_transitions where reason = 'waited'"
        " order by transition_id"
    ).fetchall()
    assert waited == [(day,) for day in days]  # 160 moves, more than one statement makes
    assert result.moves[("a_day", "toss")] == 80
    assert step_of(conn, "ada", "ticking") == ("active", "a_day")
    arrived_at, due_at = conn.execute(
        "select arrived_at, due_at from messaging.journey_enrolments"
    ).fetchone()
    assert (arrived_at, due_at) == (days[-1], days[-1] + timedelta(days=1))


def test_a_run_enrolling_many_leaves_the_planner_counting_its_enrolments_and_messages(
    conn, tmp_path, onboarding
):
    """A run that enrols an installed base refreshes the statistics its later moves are planned
    on (a stale "empty table" made a branch scan every message of its campaign per enrolment)."""
    many = STALE_AFTER + 200
    conn.execute(
        "insert into marts.dim_customers (customer_id, timezone, can_email, can_sms, locale,"
        " language, country, email) select 'c' || n, 'Europe/Paris', true, true, 'en', 'en',"
        " 'FR', 'c' || n || '@example.com' from generate_series(1, %s) as n",
        (many,),
    )
    conn.execute(
        "insert into triggers.trg_signup select 'signup:c' || n, 'c' || n, %s, %s, '{}'"
        " from generate_series(1, %s) as n",
        (AS_OF - timedelta(hours=1), AS_OF + timedelta(days=6), many),
    )

    result = advance(conn, tmp_path, [onboarding], AS_OF)

    assert result.advance.entered == many
    counted = dict(
        conn.execute(
            "select relname, reltuples from pg_class where relnamespace = 'messaging'::regnamespace"
            " and relname in ('journey_enrolments', 'occurrences')"
        ).fetchall()
    )
    assert counted == {"journey_enrolments": many, "occurrences": many}
