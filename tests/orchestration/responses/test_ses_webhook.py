"""SES events by SNS over HTTP: subscriptions confirmed only with AWS (or the configured AWS
endpoint), each event recorded once on its message, bounces and complaints suppressing."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import boto3
import httpx
import orjson
import pytest

from orchestration.tracking_service import ServiceConfig
from tests.orchestration.responses.live_service import running_service
from tests.orchestration.responses.service_rows import (
    FROM,
    SECRET,
    add_sent,
    events,
    ses_event,
    sns_notification,
    suppression,
)


def post_sns(client, body: dict) -> httpx.Response:
    """As SNS posts: JSON with the text/plain content type."""
    return client.post(
        "/ses/events", content=orjson.dumps(body), headers={"content-type": "text/plain"}
    )


def test_delivery_open_and_click_events_land_on_their_message(client, conn):
    message_id = add_sent(conn, "C1", provider_message_id="ses-0001")

    for event in [
        ses_event("Delivery", "ses-0001", message_id, smtpResponse="250 2.0.0 OK"),
        ses_event("Open", "ses-0001", message_id, ipAddress="192.0.2.1", userAgent="Mail"),
        ses_event("Click", "ses-0001", message_id, link="https://shop.example/offre"),
    ]:
        assert post_sns(client, sns_notification(event)).status_code == 200

    recorded = events(conn)
    assert [e["type"] for e in recorded] == ["delivered", "opened", "clicked"]
    assert {(e["message_id"], e["customer_id"], e["channel"]) for e in recorded} == {
        (message_id, "C1", "email")
    }
    assert recorded[2]["detail"]["url"] == "https://shop.example/offre"


def test_a_permanent_bounce_is_hard_and_suppresses_a_transient_one_does_not(client, conn):
    soft = add_sent(conn, "C1", provider_message_id="ses-soft")
    hard = add_sent(conn, "C2", recipient="gone@example.com", provider_message_id="ses-hard")

    bounces = [("ses-soft", soft, "Transient"), ("ses-hard", hard, "Permanent")]
    for provider_id, message_id, kind in bounces:
        bounce = ses_event("Bounce", provider_id, message_id, bounceType=kind)
        post_sns(client, sns_notification(bounce))

    bounce_types = {e["customer_id"]: e["detail"]["bounce_type"] for e in events(conn)}
    assert bounce_types == {"C1": "soft", "C2": "hard"}
    assert suppression(conn, "C1", "email") is None
    assert suppression(conn, "C2", "email") == "bounced"


def test_a_complaint_suppresses_and_an_event_without_our_tag_is_matched_by_provider_id(
    client, conn
):
    message_id = add_sent(conn, "C1", provider_message_id="ses-0002")

    post_sns(client, sns_notification(ses_event("Complaint", "ses-0002", None)))

    [complained] = events(conn)
    assert (complained["type"], complained["message_id"]) == ("complained", message_id)
    assert suppression(conn, "C1", "email") == "complained"


def test_the_same_event_delivered_again_is_counted_once(client, conn):
    message_id = add_sent(conn, "C1", provider_message_id="ses-0003")
    event = ses_event("Delivery", "ses-0003", message_id)

    answers = [post_sns(client, sns_notification(event)).json() for _ in range(2)]
    raw = client.post("/ses/events", json=event).json()  # the same event, without envelope

    assert [a["result"] for a in answers] == ["recorded", "duplicate"]
    assert raw["result"] == "duplicate"
    assert len(events(conn)) == 1


def test_rejects_and_delays_are_recorded_send_events_are_not(client, conn):
    message_id = add_sent(conn, "C1", provider_message_id="ses-0004")

    post_sns(client, sns_notification(ses_event("Send", "ses-0004", message_id)))
    post_sns(client, sns_notification(ses_event("Reject", "ses-0004", message_id, reason="Bad")))
    delay = ses_event("DeliveryDelay", "ses-0004", message_id, delayType="MailboxFull")
    post_sns(client, sns_notification(delay))

    assert [e["type"] for e in events(conn)] == ["failed", "deferred"]


def test_an_event_about_no_message_of_ours_is_acknowledged_and_not_recorded(client, conn):
    answer = post_sns(client, sns_notification(ses_event("Bounce", "ses-x", uuid.uuid4())))

    assert answer.status_code == 200 and answer.json()["result"] == "not_ours"
    assert events(conn) == []


class _ConfirmationEndpoint(BaseHTTPRequestHandler):
    requests: list[str] = []

    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        type(self).requests.append(self.path)
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"<ConfirmSubscriptionResponse/>")

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def confirmation_endpoint() -> Iterator[tuple[str, list[str]]]:
    """A stand-in for the AWS endpoint that records every confirmation fetched from it."""
    _ConfirmationEndpoint.requests = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _ConfirmationEndpoint)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}", _ConfirmationEndpoint.requests
    server.shutdown()


def subscription_confirmation(subscribe_url: str) -> dict:
    body = sns_notification({})
    body.update(Type="SubscriptionConfirmation", Message="You have chosen to subscribe…")
    body.update(Token="2336412f37fb687f5d51e6e2425", SubscribeURL=subscribe_url)
    return body


def test_a_subscription_is_confirmed_only_through_the_configured_aws_endpoint(
    datamart, conn, confirmation_endpoint
):
    endpoint, fetched = confirmation_endpoint
    config = ServiceConfig(datamart, SECRET, FROM, aws_endpoints=(endpoint,), pool_size=1)
    trusted = f"{endpoint}/?Action=ConfirmSubscription&TopicArn=arn&Token=2336412f"
    untrusted = "http://169.254.169.254/latest/meta-data/"
    with running_service(config) as url, httpx.Client(base_url=url) as client:
        confirmed = post_sns(client, subscription_confirmation(trusted))
        refused = post_sns(client, subscription_confirmation(untrusted))
        on_sms_route = client.post(
            "/sms/inbound", content=orjson.dumps(subscription_confirmation(trusted))
        )

    assert confirmed.status_code == 200 and confirmed.json()["confirmed"] is True
    assert refused.status_code == 400 and "not fetched" in refused.json()["error"]
    assert on_sms_route.status_code == 200
    assert fetched == ["/?Action=ConfirmSubscription&TopicArn=arn&Token=2336412f"] * 2
    assert events(conn) == []


def test_sns_publishes_to_the_live_service_and_the_queue_and_each_event_counts_once(
    moto_endpoint, live_service, conn
):
    """A real SNS topic (moto) with two subscriptions, as SES configuration sets are often
    wired: this service over HTTP and an SQS queue. The event reaches both; it counts once."""
    from assets.provider_event_queue import drain_queue

    message_id = add_sent(conn, "C1", provider_message_id="ses-0005")
    sns, sqs = boto3.client("sns"), boto3.client("sqs")
    topic = sns.create_topic(Name="touchpoint-events")["TopicArn"]
    queue_url = sqs.create_queue(QueueName="touchpoint-events")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn["Attributes"]["QueueArn"])
    sns.subscribe(TopicArn=topic, Protocol="http", Endpoint=f"{live_service}/ses/events")

    event = ses_event("Delivery", "ses-0005", message_id)
    sns.publish(TopicArn=topic, Message=orjson.dumps(event).decode())
    deadline = time.monotonic() + 5
    while not events(conn) and time.monotonic() < deadline:
        time.sleep(0.05)
    drained = drain_queue(conn, sqs, queue_url, wait_seconds=0)

    [delivered] = events(conn)
    assert (delivered["type"], delivered["message_id"]) == ("delivered", message_id)
    assert drained.counts["duplicate"] == 1 and drained.counts["deleted"] == 1
