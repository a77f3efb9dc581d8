"""The provider events sensor: a run when SES events wait in the queue, never two at once."""

from __future__ import annotations

import urllib.request
import uuid

import boto3
import pytest
from dagster import (
    DagsterInstance,
    DagsterRun,
    DagsterRunStatus,
    EnvVar,
    build_resources,
    build_sensor_context,
)

from assets.resources import ProviderEventQueue
from orchestration.jobs import PROVIDER_EVENTS_JOB
from orchestration.provider_events import provider_event_pieces
from orchestration.settings import load_settings
from sensors.provider_events import build_provider_events_sensor

SENSOR = build_provider_events_sensor(PROVIDER_EVENTS_JOB)


@pytest.fixture
def queue_url(moto_endpoint) -> str:
    reset = urllib.request.Request(f"{moto_endpoint}/moto-api/reset", method="POST")
    urllib.request.urlopen(reset, timeout=5).close()
    return boto3.client("sqs").create_queue(QueueName="ses-events")["QueueUrl"]


def tick(instance: DagsterInstance, queue_url: str):
    """One evaluation of the sensor, given the queue at ``queue_url`` as its resource."""
    queue = ProviderEventQueue(url=queue_url)
    with build_sensor_context(instance=instance, resources={"provider_event_queue": queue}) as ctx:
        return SENSOR.evaluate_tick(ctx)


def test_the_sensor_asks_for_a_run_only_when_the_queue_has_messages(queue_url):
    instance = DagsterInstance.ephemeral()

    empty = tick(instance, queue_url)
    boto3.client("sqs").send_message(QueueUrl=queue_url, MessageBody="{}")
    waiting = tick(instance, queue_url)

    assert empty.run_requests == [] and "no provider event" in empty.skip_message
    assert len(waiting.run_requests) == 1


def test_while_a_run_records_events_the_sensor_waits(queue_url):
    boto3.client("sqs").send_message(QueueUrl=queue_url, MessageBody="{}")
    instance = DagsterInstance.ephemeral()
    run = DagsterRun(
        job_name=PROVIDER_EVENTS_JOB.name,
        run_id=str(uuid.uuid4()),
        status=DagsterRunStatus.STARTED,
    )
    instance.add_run(run)

    going = tick(instance, queue_url)

    assert going.run_requests == [] and "already going" in going.skip_message


def test_the_queue_asset_job_and_sensor_exist_only_with_a_queue_url(monkeypatch, queue_url):
    monkeypatch.delenv("TOUCHPOINT_EVENTS_QUEUE_URL", raising=False)
    without = provider_event_pieces(load_settings())
    monkeypatch.setenv("TOUCHPOINT_EVENTS_QUEUE_URL", queue_url)
    pieces = provider_event_pieces(load_settings())

    assert (without.assets, without.jobs, without.sensors, without.resources) == ([], [], [], {})
    [asset], [job], [sensor] = pieces.assets, pieces.jobs, pieces.sensors
    assert asset.key.path == ["responses", "ses_events"]
    assert asset.group_names_by_key[asset.key] == "responses"
    assert sensor.job_name == job.name == "record_provider_events"
    queue = pieces.resources["provider_event_queue"]
    assert isinstance(queue.url, EnvVar) and queue.url == "TOUCHPOINT_EVENTS_QUEUE_URL"
    with build_resources(pieces.resources) as resources:  # read when a run starts
        assert resources.provider_event_queue.url == queue_url
