"""The new-behaviour sensor: a run when web or store events were loaded since it last looked."""

from __future__ import annotations

from datetime import UTC, datetime

from dagster import RunRequest, SkipReason, build_sensor_context

from orchestration.jobs import NEW_FILES_JOB
from sensors.behaviour import behaviour_request, build_behaviour_sensor

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


def test_the_sensor_moves_its_cursor_and_then_skips_until_more_behaviour_is_loaded():
    watermark = ["2026-11-23T12:00:10+00:00"]
    sensor = build_behaviour_sensor(lambda: watermark[0], NEW_FILES_JOB)

    first = sensor.evaluate_tick(build_sensor_context())
    second = sensor.evaluate_tick(build_sensor_context(cursor=first.cursor))
    watermark[0] = "2026-11-23T12:01:00+00:00"
    third = sensor.evaluate_tick(build_sensor_context(cursor=first.cursor))

    assert len(first.run_requests) == 1 and first.cursor == "2026-11-23T12:00:10+00:00"
    assert second.run_requests == [] and "since" in second.skip_message
    assert len(third.run_requests) == 1
