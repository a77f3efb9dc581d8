"""SES events by SNS over HTTP: subscriptions to our topics confirmed only with AWS, each event
recorded once on its message, bounces and complaints suppressing."""

from __future__ import annotations

import time
import urllib.request
import uuid
from urllib.parse import urlsplit

import boto3
import httpx
import orjson

from tests.tracking.live_service import running_service
from tests.tracking.service_rows import (
    FROM,
    SECRET,
    TOPIC,
    add_sent,
    events,
    ses_event,
    sns_notification,
    suppression,
)
from tests.tracking.signing import FAKE_SNS, post_signed, post_sns
from tracking.service import ServiceConfig


def sns_delivers(client, body: dict) -> httpx.Response:
    """``body`` signed by AWS and posted as SNS posts it."""
    return post_sns(client, "/ses/events", FAKE_SNS.signed(body))


def test_delivery_open_and_click_events_land_on_their_message(client, conn):
    message_id = add_sent(conn, "C1", provider_message_id="ses-0001")

    for event in [
        ses_event("Delivery", "ses-0001", message_id, smtpResponse="250 2.0.0 OK"),
        ses_event("Open", "ses-0001", message_id, ipAddress="192.0.2.1", userAgent="Mail"),
        ses_event("Click", "ses-0001", message_id, link="https://shop.example/offre"),
    ]:
        assert sns_delivers(client, sns_notification(event)).status_code == 200

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
        sns_delivers(client, sns_notification(bounce))

    bounce_types = {e["customer_id"]: e["detail"]["bounce_type"] for e in events(conn)}
    assert bounce_types == {"C1": "soft", "C2": "hard"}
    assert suppression(conn, "C1", "email") is None
    assert suppression(conn, "C2", "email") == "bounced"


def test_a_complaint_suppresses_and_an_event_without_our_tag_is_matched_by_provider_id(
    client, conn
):
    message_id = add_sent(conn, "C1", provider_message_id="ses-0002")

    sns_delivers(client, sns_notification(ses_event("Complaint", "ses-0002", None)))

    [complained] = events(conn)
    assert (complained["type"], complained["message_id"]) == ("complained", message_id)
    assert suppression(conn, "C1", "email") == "complained"


def test_the_same_event_delivered_again_is_counted_once(client, conn):
    message_id = add_sent(conn, "C1", provider_message_id="ses-0003")
    event = ses_event("Delivery", "ses-0003", message_id)

    answers = [sns_delivers(client, sns_notification(event)).json() for _ in range(2)]
    raw = post_signed(client, "/ses/events", event).json()  # the same event, without envelope

    assert [a["result"] for a in answers] == ["recorded", "duplicate"]
    assert raw["result"] == "duplicate"
    assert len(events(conn)) == 1


def test_rejects_and_delays_are_recorded_send_events_are_not(client, conn):
    message_id = add_sent(conn, "C1", provider_message_id="ses-0004")

    sns_delivers(client, sns_notification(ses_event("Send", "ses-0004", message_id)))
    reject = ses_event("Reject", "ses-0004", message_id, reason="Bad")
    sns_delivers(client, sns_notification(reject))
    delay = ses_event("DeliveryDelay", "ses-0004", message_id, delayType="MailboxFull")
    sns_delivers(client, sns_notification(delay))

    assert [e["type"] for e in events(conn)] == ["failed", "deferred"]


def test_an_event_about_no_message_of_ours_is_acknowledged_and_not_recorded(client, conn):
    answer = sns_delivers(client, sns_notification(ses_event("Bounce", "ses-x", uuid.uuid4())))

    assert answer.status_code == 200 and answer.json()["result"] == "not_ours"
    assert events(conn) == []


def subscription_confirmation(subscribe_url: str, topic: str = TOPIC) -> dict:
    body = sns_notification({})
    body.update(Type="SubscriptionConfirmation", Message="You have chosen to subscribe…")
    body.update(Token="2336412f37fb687f5d51e6e2425", SubscribeURL=subscribe_url, TopicArn=topic)
    return FAKE_SNS.signed(body)


def test_a_subscription_to_our_topic_is_confirmed_only_on_aws_sns_host(client, conn):
    trusted = f"https://sns.eu-west-1.amazonaws.com/?Action=ConfirmSubscription&TopicArn={TOPIC}"
    untrusted = "http://169.254.169.254/latest/meta-data/?Action=ConfirmSubscription"

    confirmed = post_sns(client, "/ses/events", subscription_confirmation(trusted))
    refused = post_sns(client, "/ses/events", subscription_confirmation(untrusted))
    on_sms_route = post_sns(client, "/sms/inbound", subscription_confirmation(trusted))

    assert confirmed.status_code == 200 and confirmed.json()["confirmed"] is True
    assert refused.status_code == 400 and "not fetched" in refused.json()["error"]
    assert on_sms_route.status_code == 200
    assert FAKE_SNS.fetched.count(trusted) == 2 and untrusted not in FAKE_SNS.fetched
    assert events(conn) == []


def test_a_subscription_to_someone_elses_topic_is_refused_and_nothing_is_fetched(client, conn):
    """Anyone can make AWS sign: their own topic, subscribed to our URL, would then publish
    validly signed STOPs. Only our topics are confirmed."""
    theirs = "arn:aws:sns:eu-west-1:999999999999:not-ours"
    url = f"https://sns.eu-west-1.amazonaws.com/?Action=ConfirmSubscription&TopicArn={theirs}"

    answer = post_sns(client, "/sms/inbound", subscription_confirmation(url, topic=theirs))

    assert answer.status_code == 403 and "not one of ours" in answer.json()["error"]
    assert url not in FAKE_SNS.fetched


def test_sns_publishes_to_the_live_service_and_the_queue_and_each_event_counts_once(
    moto_endpoint, datamart, conn
):
    """A real SNS topic (moto, which signs what it delivers over HTTP as AWS does, and serves
    its certificate) with two subscriptions, as SES configuration sets are often wired: this
    service over HTTP and an SQS queue. The event reaches both; it counts once."""
    from assets.response_assets import drain_queue

    def from_moto(url: str) -> bytes:
        """AWS's SNS host, played by moto: its server tells service and region from a
        credential scope, which AWS's own host does not need."""
        parts = urlsplit(url)
        scope = f"testing/20260101/{parts.hostname.split('.')[1]}/sns/aws4_request"
        authorization = f"AWS4-HMAC-SHA256 Credential={scope}, SignedHeaders=host, Signature=0"
        request = urllib.request.Request(
            moto_endpoint + parts.path, headers={"Authorization": authorization}
        )
        with urllib.request.urlopen(request, timeout=5) as answer:
            return answer.read()

    message_id = add_sent(conn, "C1", provider_message_id="ses-0005")
    sns, sqs = boto3.client("sns"), boto3.client("sqs")
    topic = sns.create_topic(Name="touchpoint-events")["TopicArn"]
    queue_url = sqs.create_queue(QueueName="touchpoint-events")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn["Attributes"]["QueueArn"])
    config = ServiceConfig(
        datamart, SECRET, FROM, frozenset({topic}), pool_size=1, fetch_from_aws=from_moto
    )
    with running_service(config) as url:
        sns.subscribe(TopicArn=topic, Protocol="http", Endpoint=f"{url}/ses/events")
        event = ses_event("Delivery", "ses-0005", message_id)
        sns.publish(TopicArn=topic, Message=orjson.dumps(event).decode())
        deadline = time.monotonic() + 5
        while not events(conn) and time.monotonic() < deadline:
            time.sleep(0.05)
    drained = drain_queue(conn, sqs, queue_url, wait_seconds=0)

    [delivered] = events(conn)
    assert (delivered["type"], delivered["message_id"]) == ("delivered", message_id)
    assert drained.counts["duplicate"] == 1 and drained.counts["deleted"] == 1
