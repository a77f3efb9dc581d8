"""The new-behaviour sensor: a run when web or store events were loaded since it last looked."""

from __future__ import annotations

from datetime import UTC, datetime

import psycopg
from dagster import RunRequest, SkipReason, build_sensor_context

from assets.resources import Warehouse
from orchestration.behaviour_watermark import WATERMARK_SQL, behaviour_watermark
from orchestration.jobs import NEW_FILES_JOB
from sensors.behaviour import behaviour_request, build_behaviour_sensor
from warehouse.raw_schema import ensure_raw_schema

NOW = datetime(2026, 11, 23, 12, 0, 30, tzinfo=UTC)


def test_nothing_loaded_yet_is_a_skip_with_a_reason():
    decision = behaviour_request(None, None, NOW)

    assert isinstance(decision, SkipReason)
    assert "no web or store events" in decision.skip_message


def test_new_behaviour_is_acted_on_as_of_the_moment_it_was_noticed():
    decision = behaviour_request("2026-11-23T12:00:10+00:00", "2026-11-23T11:00:00+00:00", NOW)

    assert isinstance(decision, RunRequest)
    assert decision.tags["touchpoint/as_of"] == NOW.isoformat()
    assert decision.run_key == "behaviour-2026-11-23T12:00:10+00:00"


def test_the_sensor_moves_its_cursor_and_then_skips_until_more_behaviour_is_loaded(
    database_url,
):
    sensor = build_behaviour_sensor(NEW_FILES_JOB, behaviour_watermark)

    def tick(cursor: str | None):
        warehouse = Warehouse(url=database_url)
        with build_sensor_context(cursor=cursor, resources={"warehouse": warehouse}) as context:
            return sensor.evaluate_tick(context)

    before_any_load = tick(None)
    load_web_event(database_url, "2026-11-23T12:00:10+00:00")
    first = tick(None)
    second = tick(first.cursor)
    load_web_event(database_url, "2026-11-23T12:01:00+00:00")
    third = tick(first.cursor)

    assert "no web or store events" in before_any_load.skip_message
    assert len(first.run_requests) == 1 and first.cursor is not None
    assert second.run_requests == [] and "since" in second.skip_message
    assert len(third.run_requests) == 1 and third.cursor > first.cursor


def test_each_look_reads_only_the_newest_blocks_not_every_event(database_url):
    load_web_event(database_url, "2026-11-23T12:00:10+00:00")
    with psycopg.connect(database_url) as conn:
        conn.execute("set enable_seqscan = off")  # a tiny table: reading it whole is cheaper
        since = {"since": "2026-11-23T12:00:00+00:00"}
        plan = "\n".join(line for (line,) in conn.execute(f"explain {WATERMARK_SQL}", since))

    assert "Seq Scan" not in plan, plan
    assert "web_events_loaded_at" in plan and "pos_transactions_loaded_at" in plan, plan


def load_web_event(database_url: str, loaded_at: str) -> None:
    """A web event row as any loader leaves it; the sensor reads its ``_loaded_at``."""
    with psycopg.connect(database_url, autocommit=True) as conn:
        ensure_raw_schema(conn)
        conn.execute(
            "insert into raw.web_events (_source, _row_number, _loaded_at) values ('test', 1, %s)",
            (loaded_at,),
        )
