"""The journey sensor: a run when a customer in a journey reacted since it last looked, or when
a wait has come due; nothing otherwise. The reader runs against a real PostgreSQL, with the
enrolments and reactions the engine and the tracking service write."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import psycopg
from dagster import RunRequest, SkipReason, build_sensor_context

from assets.resources import Warehouse
from orchestration.jobs import journeys_job
from orchestration.journey_watch import JourneyProgress, journey_progress
from sensors.journeys import build_journey_sensor, journey_request
from warehouse.messaging_schema import migrate_messaging

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


def test_nothing_to_do_is_a_skip_with_a_reason():
    decision = journey_request(None, None, None, NOW)

    assert isinstance(decision, SkipReason)
    assert "no reaction" in decision.skip_message


def test_a_reaction_newer_than_the_cursor_is_acted_on_as_of_the_moment_it_was_noticed():
    decision = journey_request(42, None, "41", NOW)

    assert isinstance(decision, RunRequest)
    assert decision.tags["touchpoint/as_of"] == NOW.isoformat()
    assert decision.run_key == "journey-reaction-42"
    assert isinstance(journey_request(42, None, "42", NOW), SkipReason)


def test_a_wait_come_due_is_acted_on_once_per_due_instant():
    decision = journey_request(None, "2026-11-23T11:59:00+00:00", "42", NOW)

    assert isinstance(decision, RunRequest)
    assert decision.run_key == "journey-due-2026-11-23T11:59:00+00:00"


def enrol(conn, customer_id: str, due_at: datetime | None, status: str = "active") -> None:
    conn.execute(
        "insert into messaging.journey_versions (journey, version, spec) values"
        " ('j', 'v1', '{}') on conflict do nothing"
    )
    conn.execute(
        "insert into messaging.journey_enrolments (journey, version, customer_id, entry_key,"
        " entered_at, time_zone, step, arrived_at, due_at, status, enrolled_as_of)"
        " values ('j', 'v1', %s, %s, now(), 'UTC', 'wait', now(), %s, %s, now())",
        (customer_id, f"entry:{customer_id}", due_at, status),
    )


def react(conn, customer_id: str) -> None:
    conn.execute(
        "insert into messaging.message_events (customer_id, channel, type, occurred_at)"
        " values (%s, 'email', 'clicked', now())",
        (customer_id,),
    )


def test_the_sensor_runs_on_an_enrolled_customers_reaction_or_a_due_wait_and_not_otherwise(
    database_url,
):
    migrate_messaging(database_url)
    sensor = build_journey_sensor(journeys_job([]), journey_progress)

    def tick(cursor: str | None):
        context = build_sensor_context(
            cursor=cursor, resources={"warehouse": Warehouse(url=database_url)}
        )
        return sensor(context)

    with psycopg.connect(database_url, autocommit=True) as conn:
        enrol(conn, "in_journey", datetime.now(UTC) + timedelta(days=1))
        enrol(conn, "done", None, status="completed")
        react(conn, "done")  # a customer no longer in a journey: nothing to move
        assert tick(None).skip_reason is not None

        react(conn, "in_journey")
        first = tick(None)
        [request] = first.run_requests
        assert request.run_key.startswith("journey-reaction-")
        assert tick(first.cursor).skip_reason is not None

        enrol(conn, "waiting", datetime.now(UTC) - timedelta(minutes=1))
        [due] = tick(first.cursor).run_requests
        assert due.run_key.startswith("journey-due-")


def test_before_any_journey_ran_the_reader_finds_nothing(database_url):
    assert journey_progress(Warehouse(url=database_url)) == JourneyProgress(None, None)
