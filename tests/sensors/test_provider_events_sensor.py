"""The provider events sensor: a run when SES events wait in the queue, never two at once."""

from __future__ import annotations

import urllib.request
import uuid

import boto3
import pytest
from dagster import DagsterInstance, DagsterRun, DagsterRunStatus, build_sensor_context

from orchestration.jobs import PROVIDER_EVENTS_JOB
from orchestration.provider_events import provider_event_pieces, queue_depth
from orchestration.settings import load_settings
from sensors.provider_events import build_provider_events_sensor


@pytest.fixture
def queue_url(moto_endpoint) -> str:
    reset = urllib.request.Request(f"{moto_endpoint}/moto-api/reset", method="POST")
    urllib.request.urlopen(reset, timeout=5).close()
    return boto3.client("sqs").create_queue(QueueName="ses-events")["QueueUrl"]


def test_the_sensor_asks_for_a_run_only_when_the_queue_has_messages(queue_url):
    sensor = build_provider_events_sensor(lambda: queue_depth(queue_url), PROVIDER_EVENTS_JOB)
    instance = DagsterInstance.ephemeral()

    empty = sensor.evaluate_tick(build_sensor_context(instance=instance))
    boto3.client("sqs").send_message(QueueUrl=queue_url, MessageBody="{}")
    waiting = sensor.evaluate_tick(build_sensor_context(instance=instance))

    assert empty.run_requests == [] and "no provider event" in empty.skip_message
    assert len(waiting.run_requests) == 1


def test_while_a_run_records_events_the_sensor_waits(queue_url):
    boto3.client("sqs").send_message(QueueUrl=queue_url, MessageBody="{}")
    sensor = build_provider_events_sensor(lambda: queue_depth(queue_url), PROVIDER_EVENTS_JOB)
    instance = DagsterInstance.ephemeral()
    run = DagsterRun(
        job_name=PROVIDER_EVENTS_JOB.name,
        run_id=str(uuid.uuid4()),
        status=DagsterRunStatus.STARTED,
    )
    instance.add_run(run)

    going = sensor.evaluate_tick(build_sensor_context(instance=instance))

    assert going.run_requests == [] and "already going" in going.skip_message


def test_the_queue_asset_job_and_sensor_exist_only_with_a_queue_url(monkeypatch, queue_url):
    monkeypatch.delenv("TOUCHPOINT_EVENTS_QUEUE_URL", raising=False)
    without = provider_event_pieces(load_settings())
    monkeypatch.setenv("TOUCHPOINT_EVENTS_QUEUE_URL", queue_url)
    pieces = provider_event_pieces(load_settings())

    assert (without.assets, without.jobs, without.sensors) == ([], [], [])
    [asset], [job], [sensor] = pieces.assets, pieces.jobs, pieces.sensors
    assert asset.key.path == ["responses", "ses_events"]
    assert asset.group_names_by_key[asset.key] == "responses"
    assert sensor.job_name == job.name == "record_provider_events"
