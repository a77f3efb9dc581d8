"""SES through boto3: against moto's server, and the fault paths moto cannot play (botocore's
Stubber for AWS's error answers, a local endpoint that answers too late for a timeout)."""

from __future__ import annotations

import time
import uuid

import boto3
import pytest
from botocore.stub import Stubber

from models.messages import Accepted, SendFailure
from senders.aws import send_client
from senders.email_composition import EmailComposer
from senders.ses import SesSender
from tests.senders.mail_reading import parse_mail
from tests.senders.moto_reading import moto_models
from tests.senders.outbox_rows import email_message
from tests.senders.slow_endpoint import slow_endpoint
from tests.senders.smtp_server import free_port


def test_a_mail_sent_through_moto_keeps_every_header(moto_endpoint, composer):
    ses = boto3.client("sesv2")
    ses.create_email_identity(EmailIdentity="shop.example")
    configuration_set = f"touchpoint-{uuid.uuid4().hex[:8]}"
    ses.create_configuration_set(ConfigurationSetName=configuration_set)
    message = email_message()

    with SesSender(composer, configuration_set=configuration_set) as sender:
        result = sender.send(message)

    assert isinstance(result, Accepted)
    [stored] = [
        raw
        for raw in moto_models(moto_endpoint, "ses", "RawMessage")
        if raw["id"] == result.provider_message_id
    ]
    assert "zoe@example.com" in stored["destinations"]
    mail = parse_mail(stored["raw_data"].encode())
    assert mail["X-Touchpoint-Campaign"] == "birthday"
    assert mail["X-Touchpoint-Message-Id"] == str(message.message_id)
    assert mail["Message-ID"] == result.detail["message_id_header"]
    assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_an_unverified_sender_is_rejected_for_good(moto_endpoint):
    composer = EmailComposer("Nobody <hello@unverified.example>")

    with SesSender(composer) as sender:
        result = sender.send(email_message())

    assert not result.retryable and not result.in_doubt
    assert result.reason.startswith("SES SendEmail: MessageRejected")


@pytest.mark.parametrize(
    ("code", "status", "retryable"),
    [
        ("TooManyRequestsException", 429, True),
        ("LimitExceededException", 400, True),
        ("ServiceUnavailable", 503, True),
        ("InternalFailure", 500, True),
        ("MessageRejected", 400, False),
        ("MailFromDomainNotVerifiedException", 400, False),
        ("AccountSuspendedException", 400, False),
    ],
)
def test_aws_answers_are_classified_and_sent_exactly_once(
    aws_settings, composer, code, status, retryable
):
    client = send_client("sesv2")
    sender = SesSender(composer, client=client)

    with Stubber(client) as stubber:
        # One answer only: had botocore retried, the stubber would have raised.
        stubber.add_client_error("send_email", code, "refused", http_status_code=status)
        result = sender.send(email_message())
        stubber.assert_no_pending_responses()

    assert result == SendFailure(f"SES SendEmail: {code}: refused", retryable=retryable)


def test_an_answer_that_never_comes_is_in_doubt_after_exactly_one_request(
    aws_settings, monkeypatch, composer
):
    # The answer would come after a minute; the 0.3 s read timeout gives up long before, with
    # room for a loaded machine (a 3 s bound once failed at 3.1 s beside a second test run).
    with slow_endpoint(answer_after=60) as endpoint:
        monkeypatch.setenv("AWS_ENDPOINT_URL_SESV2", endpoint.url)
        started = time.monotonic()

        with SesSender(composer, read_timeout=0.3) as sender:
            result = sender.send(email_message())

        assert time.monotonic() - started < 20
        assert endpoint.requests == 1
    assert result.in_doubt and not result.retryable
    assert "may have been accepted" in result.reason


def test_an_endpoint_that_cannot_be_reached_is_retryable(aws_settings, monkeypatch, composer):
    monkeypatch.setenv("AWS_ENDPOINT_URL_SESV2", f"http://127.0.0.1:{free_port()}")

    with SesSender(composer) as sender:
        result = sender.send(email_message())

    assert result.retryable
    assert "not sent" in result.reason


def test_a_row_no_mail_can_be_made_of_makes_no_request(aws_settings, composer):
    client = send_client("sesv2")

    with Stubber(client), SesSender(composer, client=client) as sender:
        result = sender.send(email_message(subject=""))

    assert result == SendFailure.permanent(result.reason)
    assert "no subject" in result.reason
