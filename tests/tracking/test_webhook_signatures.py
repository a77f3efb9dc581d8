"""Nobody writes through a webhook without a signature: forged HMACs and forged SNS messages are
refused with 401/403 on every route, and nothing is recorded, changed or queued."""

from __future__ import annotations

import orjson
import pytest

from tests.tracking.service_rows import (
    SECRET,
    add_customer,
    add_sent,
    aws_sms,
    events,
    plain_sms,
    replies,
    ses_event,
    sns_notification,
)
from tests.tracking.signing import (
    CERT_URL,
    EXPIRED_CERT_URL,
    FAKE_SNS,
    hmac_header,
    post_signed,
    post_sns,
)

PHONE = "+33612345678"
STOP = plain_sms("STOP", "in-1", sender=PHONE)
TRACK = {
    "type": "track",
    "messageId": "ajs-1",
    "timestamp": "2026-11-24T10:15:00Z",
    "userId": "C1",
    "event": "Product Viewed",
    "properties": {"product_id": "P-42"},
}


@pytest.fixture
def customer(conn):
    """C1, whose number got an SMS and whose address got a mail (provider id ses-0001)."""
    add_customer(conn, "C1", PHONE, "en")
    add_sent(conn, "C1", channel="sms", recipient=PHONE)
    return add_sent(conn, "C1", provider_message_id="ses-0001")


def bodies(message_id) -> dict[str, dict]:
    """For each route, a body that records something when it is signed."""
    bounce = ses_event("Bounce", "ses-0001", message_id, bounceType="Permanent")
    page = {"messageId": "p-1", "timestamp": "2026-11-24T10:00:00Z"}
    return {
        "/sms/inbound": STOP,
        "/ses/events": bounce,
        "/v1/track": TRACK,
        "/v1/page": page,
        "/v1/batch": {"batch": [TRACK]},
    }


def written(conn) -> tuple[int, ...]:
    """What a webhook can write: events, replies queued (outbox and occurrence), web events."""
    return conn.execute(
        "select (select count(*) from messaging.message_events), "
        "(select count(*) from messaging.outbox where campaign = 'sms_keyword_reply'), "
        "(select count(*) from messaging.occurrences where campaign = 'sms_keyword_reply'), "
        "(select count(*) from raw.web_events), (select count(*) from raw.web_events_rejects)"
    ).fetchone()


def forgeries(body: bytes) -> dict[str, list[tuple[str, str]]]:
    """Header lists that do not sign ``body``, by what is wrong with them."""
    [(name, good)] = hmac_header(body).items()
    digest = good.removeprefix("sha256=")
    return {
        "wrong secret": list(hmac_header(body, "not-the-secret").items()),
        "another body": list(hmac_header(body + b" ").items()),
        "bare hex": [(name, digest)],
        "another algorithm name": [(name, f"sha1={digest}")],
        "uppercase hex": [(name, f"sha256={digest.upper()}")],
        "uppercase scheme": [(name, f"SHA256={digest}")],
        "space after =": [(name, f"sha256= {digest}")],
        "truncated": [(name, good[:-2])],
        "followed by more": [(name, f"{good},sha256={digest}")],
        "empty": [(name, "")],
        "twice, one wrong": [(name, good), (name, f"sha256={'0' * 64}")],
    }


@pytest.mark.parametrize(
    "route", ["/sms/inbound", "/ses/events", "/v1/track", "/v1/page", "/v1/batch"]
)
def test_a_forged_or_missing_signature_is_refused_and_writes_nothing(client, conn, customer, route):
    body = orjson.dumps(bodies(customer)[route])

    unsigned = client.post(route, content=body)
    forged = {
        what: client.post(route, content=body, headers=headers).status_code
        for what, headers in forgeries(body).items()
    }

    assert unsigned.status_code == 401 and "X-Touchpoint-Signature" in unsigned.json()["error"]
    assert forged == dict.fromkeys(forged, 403)
    assert written(conn) == (0, 0, 0, 0, 0)
    assert post_signed(client, route, body).status_code == 200  # the same body, signed
    assert written(conn) != (0, 0, 0, 0, 0)


def test_a_signed_stop_opts_out_and_the_same_body_unsigned_would_not(client, conn, customer):
    client.post("/sms/inbound", json=STOP)
    assert events(conn) == [] and replies(conn) == []

    answer = post_signed(client, "/sms/inbound", STOP)

    assert answer.status_code == 200
    assert [e["type"] for e in events(conn)] == ["opted_out"]
    assert len(replies(conn)) == 1


@pytest.mark.parametrize("version", ["1", "2"])
def test_an_sns_message_signed_by_aws_is_accepted_with_either_signature_version(
    client, conn, customer, version
):
    message = FAKE_SNS.signed(sns_notification(aws_sms("STOP", "aws-1")), version=version)

    answer = post_sns(client, "/sms/inbound", message)

    assert answer.status_code == 200
    assert [e["type"] for e in events(conn)] == ["opted_out"]


def tampered(field: str, value: str) -> dict:
    return {**FAKE_SNS.signed(sns_notification(aws_sms("HELP", "aws-1"))), field: value}


@pytest.mark.parametrize(
    "message",
    [
        tampered("Message", sns_notification(aws_sms("STOP", "aws-1"))["Message"]),
        tampered("MessageId", "another-id"),
        tampered("Timestamp", "2026-11-25T10:00:00.000Z"),
        tampered("Subject", "added after signing"),
        tampered("Type", "SubscriptionConfirmation"),
        tampered("Signature", "bm90IGEgc2lnbmF0dXJl"),
        tampered("Signature", "not base64 !"),
        tampered("SignatureVersion", "3"),
        tampered("SignatureVersion", "1"),  # a SHA256 signature called SHA1
        FAKE_SNS.signed(sns_notification(aws_sms("STOP", "aws-1")), key_of=EXPIRED_CERT_URL),
    ],
    ids=["message", "message-id", "timestamp", "subject", "type", "signature", "not-base64",
         "version-3", "version-mismatch", "another-key"],
)  # fmt: skip
def test_a_tampered_sns_message_is_403_and_writes_nothing(client, conn, customer, message):
    answer = post_sns(client, "/sms/inbound", message)

    assert answer.status_code == 403, answer.text
    assert written(conn) == (0, 0, 0, 0, 0)


@pytest.mark.parametrize(
    "cert_url",
    [
        "http://sns.eu-west-1.amazonaws.com/SimpleNotificationService-0123456789.pem",
        "https://sns.eu-west-1.amazonaws.com.evil.example/SimpleNotificationService-1.pem",
        "https://evil.example/sns.eu-west-1.amazonaws.com/SimpleNotificationService-1.pem",
        "https://sns-eu-west-1.amazonaws.com/SimpleNotificationService-1.pem",
        "https://s3.eu-west-1.amazonaws.com/bucket/SimpleNotificationService-1.pem",
        "https://sns.eu-west-1.amazonaws.com:8443/SimpleNotificationService-1.pem",
        "https://attacker@sns.eu-west-1.amazonaws.com/SimpleNotificationService-1.pem",
        "https://sns.eu-west-1.amazonaws.com/redirect?to=https://evil.example/cert",
        "file:///etc/ssl/certs/ca-certificates.crt",
    ],
)
def test_a_certificate_anywhere_but_aws_sns_host_is_403_and_is_never_fetched(
    client, conn, customer, cert_url
):
    message = FAKE_SNS.signed(
        sns_notification(aws_sms("STOP", "aws-1")), cert_url=cert_url, key_of=CERT_URL
    )

    answer = post_sns(client, "/sms/inbound", message)

    assert answer.status_code == 403 and "not fetched" in answer.json()["error"]
    assert cert_url not in FAKE_SNS.fetched
    assert written(conn) == (0, 0, 0, 0, 0)


def test_a_message_signed_by_an_expired_certificate_is_403(client, conn, customer):
    message = FAKE_SNS.signed(sns_notification(aws_sms("STOP", "aws-1")), cert_url=EXPIRED_CERT_URL)

    answer = post_sns(client, "/sms/inbound", message)

    assert answer.status_code == 403 and "not valid now" in answer.json()["error"]
    assert written(conn) == (0, 0, 0, 0, 0)


def test_a_validly_signed_message_from_someone_elses_topic_is_403_and_fetches_nothing(
    client, conn, customer
):
    theirs = {**sns_notification(aws_sms("STOP", "aws-1")), "TopicArn": "arn:aws:sns:x:9:t"}
    fetched_before = len(FAKE_SNS.fetched)

    answer = post_sns(client, "/sms/inbound", FAKE_SNS.signed(theirs))

    assert answer.status_code == 403 and "not one of ours" in answer.json()["error"]
    assert len(FAKE_SNS.fetched) == fetched_before
    assert written(conn) == (0, 0, 0, 0, 0)


def test_an_sns_message_without_its_signature_is_401(client, conn, customer):
    message = sns_notification(aws_sms("STOP", "aws-1"))
    for field in ("Signature", "SigningCertURL", "SignatureVersion"):
        message.pop(field, None)

    answer = post_sns(client, "/sms/inbound", message)

    assert answer.status_code == 401
    assert written(conn) == (0, 0, 0, 0, 0)


def test_our_header_when_present_decides_even_for_a_well_signed_sns_message(client, conn, customer):
    message = orjson.dumps(FAKE_SNS.signed(sns_notification(aws_sms("STOP", "aws-1"))))
    wrong = hmac_header(message, "not-" + SECRET)

    answer = client.post("/sms/inbound", content=message, headers=wrong)

    assert answer.status_code == 403
    assert written(conn) == (0, 0, 0, 0, 0)
