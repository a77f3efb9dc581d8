"""SMS through SNS: against moto's server (read back with its attributes), opted-out numbers,
and AWS's error answers through botocore's Stubber."""

from __future__ import annotations

import pytest
from botocore.stub import Stubber

from models.messages import Accepted, SendFailure
from senders.aws import send_client
from senders.sns import SnsSender
from tests.senders.moto_reading import (
    message_attributes,
    moto_models,
    recorded_requests,
    recorder,
)
from tests.senders.outbox_rows import sms_message


def test_an_sms_sent_through_moto_is_read_back_with_its_attributes(
    moto_endpoint, monkeypatch, tmp_path
):
    monkeypatch.chdir(tmp_path)  # where moto's recorder writes
    message = sms_message(recipient="+32470000101")
    recorder(moto_endpoint, "reset-recording")
    recorder(moto_endpoint, "start-recording")

    with SnsSender() as sender:
        result = sender.send(message)

    recorder(moto_endpoint, "stop-recording")
    assert result == Accepted(result.provider_message_id, {"encoding": "GSM-7", "segments": 1})
    [sms] = [
        sms
        for sms in moto_models(moto_endpoint, "sns", "SMS")
        if sms["phone_number"] == "+32470000101"
    ]
    assert (sms["message_id"], sms["message"]) == (result.provider_message_id, message.sms_text)
    [publish] = [
        request
        for request in recorded_requests(moto_endpoint)
        if request.get("Action") == "Publish"
    ]
    assert publish["PhoneNumber"] == "+32470000101"
    assert message_attributes(publish) == {
        "X-Touchpoint-Campaign": "product_interest",
        "X-Touchpoint-Message-Id": str(message.message_id),
        "AWS.SNS.SMS.SMSType": "Promotional",
    }


def test_an_opted_out_number_is_a_permanent_failure_that_records_an_opt_out(moto_endpoint):
    message = sms_message(recipient="+32470000199")  # moto: numbers ending in 99 opted out

    with SnsSender() as sender:
        result = sender.send(message)

    assert result == SendFailure.permanent("+32470000199 opted out of SMS", opted_out=True)
    assert not [
        sms
        for sms in moto_models(moto_endpoint, "sns", "SMS")
        if sms["phone_number"] == "+32470000199"
    ]


@pytest.mark.parametrize(
    ("fields", "problem"),
    [
        ({"recipient": "0470 12 34 56"}, "not an E.164 phone number"),
        ({"recipient": "+32470123456\nX"}, "not an E.164 phone number"),
        ({"sms_text": " "}, "no SMS text"),
    ],
)
def test_a_row_no_sms_can_be_made_of_makes_no_request(aws_settings, fields, problem):
    client = send_client("sns")

    with Stubber(client), SnsSender(client=client) as sender:
        result = sender.send(sms_message(**fields))

    assert not result.retryable and problem in result.reason


def test_a_throttled_publish_is_retryable_and_made_once(aws_settings):
    client = send_client("sns")
    number = sms_message().recipient

    with Stubber(client) as stubber, SnsSender(client=client) as sender:
        stubber.add_response(
            "check_if_phone_number_is_opted_out", {"isOptedOut": False}, {"phoneNumber": number}
        )
        stubber.add_client_error("publish", "Throttling", "Rate exceeded", http_status_code=400)
        result = sender.send(sms_message())
        stubber.assert_no_pending_responses()

    assert result == SendFailure.transient("SNS Publish: Throttling: Rate exceeded")


def test_a_failed_opt_out_check_sends_nothing_and_is_retryable(aws_settings):
    client = send_client("sns")

    with Stubber(client) as stubber, SnsSender(client=client) as sender:
        stubber.add_client_error(
            "check_if_phone_number_is_opted_out", "Throttled", "slow down", http_status_code=429
        )
        result = sender.send(sms_message())
        stubber.assert_no_pending_responses()

    assert result == SendFailure.transient("SNS opt-out check: Throttled: slow down")


def test_an_opt_out_reported_by_the_publish_itself_is_recorded_too(aws_settings):
    client = send_client("sns")

    with Stubber(client) as stubber, SnsSender(client=client, check_opt_out=False) as sender:
        stubber.add_client_error("publish", "OptedOut", "opted out", http_status_code=400)
        result = sender.send(sms_message())

    assert result.opted_out and not result.retryable
