"""The landing-files sensor: a run for new files, a skip with a reason otherwise."""

from __future__ import annotations

import json
from pathlib import Path

from dagster import RunRequest, build_sensor_context

from assets.resources import LandingZoneResource
from orchestration.jobs import NEW_FILES_JOB
from orchestration.landing_listing import landing_fingerprints
from sensors.landing import build_landing_sensor, new_fingerprints, run_key_for


def test_only_fingerprints_not_seen_before_are_new():
    fresh, cursor = new_fingerprints(["a|1|t1", "b|2|t1"], None)
    again, _ = new_fingerprints(["a|1|t1", "b|2|t1"], cursor)
    changed, _ = new_fingerprints(["a|1|t1", "b|3|t2"], cursor)

    assert fresh == ["a|1|t1", "b|2|t1"]
    assert again == []
    assert changed == ["b|3|t2"]


def test_the_run_key_is_the_same_for_the_same_files_so_a_repeat_is_harmless():
    assert run_key_for(["a|1|t1"]) == run_key_for(["a|1|t1"])
    assert run_key_for(["a|1|t1"]) != run_key_for(["a|1|t2"])


SENSOR = build_landing_sensor(NEW_FILES_JOB, landing_fingerprints)


def tick(folder: Path, cursor: str | None = None):
    """One evaluation of the sensor, given ``folder`` as its landing zone."""
    landing = LandingZoneResource(location=str(folder))
    with build_sensor_context(cursor=cursor, resources={"landing": landing}) as context:
        return SENSOR.evaluate_tick(context)


def test_the_sensor_requests_a_run_for_new_files_then_skips(tmp_path):
    (tmp_path / "crm/customers").mkdir(parents=True)
    (tmp_path / "crm/customers/a.csv").write_text("customer_id\n")

    first = tick(tmp_path)
    second = tick(tmp_path, first.cursor)

    assert [type(r) for r in first.run_requests] == [RunRequest]
    assert first.run_requests[0].run_key == run_key_for(json.loads(first.cursor))
    assert second.run_requests == []
    assert second.skip_message == "no new landing files"


def test_the_sensor_sees_files_landing_in_a_real_folder(tmp_path):
    (tmp_path / "web/events").mkdir(parents=True)
    empty = tick(tmp_path)
    (tmp_path / "web/events/day1.jsonl").write_text("{}\n")
    landed = tick(tmp_path, empty.cursor)

    assert empty.run_requests == [] and isinstance(empty.skip_message, str)
    assert len(landed.run_requests) == 1
