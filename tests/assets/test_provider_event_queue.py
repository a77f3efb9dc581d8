"""Draining the SQS queue of SES events (moto): each event recorded once, a message deleted
only after its row is committed, an unparseable one left for the dead-letter queue."""

from __future__ import annotations

import urllib.request

import boto3
import orjson
import pytest
from dagster import materialize

from assets.resources import ProviderEventQueue, Warehouse
from assets.response_assets import drain_queue, ses_events
from tests.tracking.service_rows import add_sent, events, ses_event, sns_notification


@pytest.fixture
def moto_endpoint(moto_endpoint: str) -> str:
    reset = urllib.request.Request(f"{moto_endpoint}/moto-api/reset", method="POST")
    urllib.request.urlopen(reset, timeout=5).close()
    return moto_endpoint


@pytest.fixture
def conn(messaging_conn):
    return messaging_conn


@pytest.fixture
def queue(moto_endpoint):
    sqs = boto3.client("sqs")
    url = sqs.create_queue(QueueName="ses-events", Attributes={"VisibilityTimeout": "60"})
    return sqs, url["QueueUrl"]


def depth(sqs, url: str) -> dict[str, int]:
    names = ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"]
    attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=names)["Attributes"]
    return {"visible": int(attributes[names[0]]), "in_flight": int(attributes[names[1]])}


def test_the_queue_is_drained_ten_at_a_time_and_every_event_counts_once(conn, queue):
    sqs, url = queue
    messages = [add_sent(conn, f"C{i}", provider_message_id=f"ses-{i}") for i in range(12)]
    for i, message_id in enumerate(messages):
        body = sns_notification(ses_event("Delivery", f"ses-{i}", message_id))
        sqs.send_message(QueueUrl=url, MessageBody=orjson.dumps(body).decode())
    duplicate = ses_event("Delivery", "ses-0", messages[0])  # again, as a raw SES event
    sqs.send_message(QueueUrl=url, MessageBody=orjson.dumps(duplicate).decode())

    result = drain_queue(conn, sqs, url, wait_seconds=0)

    assert (result.counts["recorded"], result.counts["duplicate"]) == (12, 1)
    assert result.counts["deleted"] == 13
    assert len(events(conn, type="delivered")) == 12
    assert depth(sqs, url) == {"visible": 0, "in_flight": 0}


def test_an_unparseable_message_is_reported_and_left_for_the_dead_letter_queue(conn, queue):
    sqs, url = queue
    message_id = add_sent(conn, "C1", provider_message_id="ses-1")
    sqs.send_message(QueueUrl=url, MessageBody="this is not an SES event")
    send = ses_event("Send", "ses-1", message_id)
    for event in (send, ses_event("Bounce", "ses-1", message_id, bounceType="Permanent")):
        sqs.send_message(QueueUrl=url, MessageBody=orjson.dumps(event).decode())
    logged: list[str] = []

    result = drain_queue(conn, sqs, url, wait_seconds=0, log=logged.append)

    assert result.counts["unparseable"] == 1 and "not valid JSON" in result.unparseable[0][1]
    assert (result.counts["recorded"], result.counts["ignored"]) == (1, 1)
    assert logged and "dead-letter" in logged[0]
    assert depth(sqs, url) == {"visible": 0, "in_flight": 1}  # back after the timeout
    [bounced] = events(conn)
    assert bounced["detail"]["bounce_type"] == "hard"


def test_the_asset_records_the_waiting_events_and_says_what_became_of_them(
    conn, queue, database_url
):
    sqs, url = queue
    message_id = add_sent(conn, "C1", provider_message_id="ses-1")
    event = ses_event("Complaint", "ses-1", message_id, complaintFeedbackType="abuse")
    sqs.send_message(QueueUrl=url, MessageBody=orjson.dumps(sns_notification(event)).decode())
    sqs.send_message(QueueUrl=url, MessageBody='{"half": ')
    resources = {
        "warehouse": Warehouse(url=database_url),
        "provider_event_queue": ProviderEventQueue(url=url),
    }

    result = materialize([ses_events], resources=resources)

    metadata = result.asset_materializations_for_node(ses_events.op.name)[0].metadata
    assert metadata["recorded"].value == 1 and metadata["unparseable"].value == 1
    assert "not valid JSON" in metadata["unparseable_messages"].value
    assert [e["type"] for e in events(conn)] == ["complained"]
