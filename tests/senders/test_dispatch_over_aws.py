"""The dispatch loop over SES and SNS: against moto's server for what AWS keeps, botocore's
Stubber for a throttled answer, and a late endpoint for an answer that never comes. The outbox
is a real PostgreSQL; what each row ends as is read back from it."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

import boto3
import pytest
from botocore.stub import Stubber

from assets.dispatch import dispatch_channel
from assets.outbox_queue import Claim
from senders.aws import send_client
from senders.retry_policy import RetryPolicy
from senders.ses import SesSender
from senders.sns import SnsSender
from tests.assets.outbox_seed import add_messages
from tests.senders.mail_reading import parse_mail
from tests.senders.moto_reading import moto_models, recorded_requests, recorder
from tests.senders.slow_endpoint import slow_endpoint

NO_BACK_OFF = RetryPolicy(max_attempts=3, base_delay=timedelta(microseconds=1))


@pytest.fixture
def conn(messaging_conn):
    return messaging_conn


def outbox(conn) -> dict:
    rows = conn.execute("select message_id, status, provider_message_id from messaging.outbox")
    return {str(message_id): (status, provider) for message_id, status, provider in rows}


def test_every_row_reaches_ses_once_with_its_headers(conn, moto_endpoint, composer):
    boto3.client("sesv2").create_email_identity(EmailIdentity="shop.example")
    ids = [str(i) for i in add_messages(conn, 3)]

    with SesSender(composer) as sender:
        counts = dispatch_channel(conn, sender, Claim("w", "email"), NO_BACK_OFF)
        again = dispatch_channel(conn, sender, Claim("w", "email"), NO_BACK_OFF)

    stored = {
        m["id"]: parse_mail(m["raw_data"].encode())
        for m in moto_models(moto_endpoint, "ses", "RawMessage")
    }
    rows = outbox(conn)
    assert (counts, again) == (Counter(sent=3), Counter())
    assert {status for status, _ in rows.values()} == {"sent"}
    assert set(stored) == {provider for _, provider in rows.values()}
    by_message = {mail["X-Touchpoint-Message-Id"]: mail for mail in stored.values()}
    assert sorted(by_message) == sorted(ids)
    assert {mail["X-Touchpoint-Campaign"] for mail in by_message.values()} == {"birthday"}


def test_a_throttled_ses_send_is_retried_and_sent_once(conn, aws_settings, composer):
    [message_id] = add_messages(conn, 1)
    client = send_client("sesv2")

    with Stubber(client) as stubber:
        stubber.add_client_error("send_email", "TooManyRequestsException", "slow down", 429)
        stubber.add_response("send_email", {"MessageId": "ses-1"})
        counts = dispatch_channel(
            conn, SesSender(composer, client=client), Claim("w", "email"), NO_BACK_OFF
        )
        stubber.assert_no_pending_responses()  # exactly two requests: no SDK retry

    assert counts == Counter(retried=1, sent=1)
    assert outbox(conn) == {str(message_id): ("sent", "ses-1")}


def test_an_ses_answer_that_never_comes_leaves_the_row_in_doubt_after_one_request(
    conn, aws_settings, monkeypatch, composer
):
    [message_id] = add_messages(conn, 1)

    with slow_endpoint(answer_after=5) as endpoint:
        monkeypatch.setenv("AWS_ENDPOINT_URL_SESV2", endpoint.url)
        with SesSender(composer, read_timeout=0.3) as sender:
            counts = dispatch_channel(conn, sender, Claim("w", "email"), NO_BACK_OFF)
            again = dispatch_channel(conn, sender, Claim("w", "email"), NO_BACK_OFF)
        requests = endpoint.requests

    assert (counts, again) == (Counter(in_doubt=1), Counter())
    assert requests == 1
    assert outbox(conn) == {str(message_id): ("in_doubt", None)}


def test_every_sms_reaches_sns_once_with_its_campaign_and_message_id(
    conn, moto_endpoint, monkeypatch, tmp_path
):
    monkeypatch.chdir(tmp_path)  # where moto's recorder writes
    ids = {str(i) for i in add_messages(conn, 2, channel="sms")}
    recorder(moto_endpoint, "reset-recording")
    recorder(moto_endpoint, "start-recording")

    with SnsSender() as sender:
        counts = dispatch_channel(conn, sender, Claim("w", "sms"), NO_BACK_OFF)

    recorder(moto_endpoint, "stop-recording")
    publishes = [r for r in recorded_requests(moto_endpoint) if r.get("Action") == "Publish"]
    attributes = [
        {
            r[key]: r[key.replace(".Name", ".Value.StringValue")]
            for key in r
            if key.startswith("MessageAttributes.") and key.endswith(".Name")
        }
        for r in publishes
    ]
    assert counts == Counter(sent=2)
    assert {a["X-Touchpoint-Message-Id"] for a in attributes} == ids
    assert {a["X-Touchpoint-Campaign"] for a in attributes} == {"birthday"}
    sent_sms = {s["message_id"] for s in moto_models(moto_endpoint, "sns", "SMS")}
    assert {provider for _, provider in outbox(conn).values()} == sent_sms
