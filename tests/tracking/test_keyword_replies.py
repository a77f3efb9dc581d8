"""Keyword replies cost an SMS each: at most one of each kind per number and UTC day, however
many keywords arrive and however fast; they go out as transactional SMS, campaigns as
promotional ones."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import psycopg
import pytest

from assets.dispatch import dispatch_channel
from assets.outbox_queue import Claim
from models.inbound_sms import inbound_sms
from senders.retry_policy import RetryPolicy
from senders.sns import SnsSender
from tests.senders.moto_reading import message_attributes, recorded_requests, recorder
from tests.tracking.service_rows import FROM, add_customer, plain_sms, replies
from tests.tracking.signing import post_signed
from tracking.inbound_sms import handle_inbound_sms

PHONE = "+33612345678"


@pytest.fixture
def customer(conn) -> str:
    add_customer(conn, "C1", PHONE, "en")
    return "C1"


def receive(datamart: str, text: str, inbound_id: str, at: datetime) -> dict:
    """The inbound SMS as the webhook hands it over, arriving at ``at``."""

    async def handle() -> dict:
        async with await psycopg.AsyncConnection.connect(datamart, autocommit=True) as conn:
            sms = inbound_sms(plain_sms(text, inbound_id, sender=PHONE))
            return await handle_inbound_sms(conn, sms, FROM, at)

    return asyncio.run(handle())


def reply_kinds(conn) -> list[str]:
    return [reply["context"]["keyword"] for reply in replies(conn)]


def test_help_three_times_in_a_day_is_answered_once(client, conn, customer):
    answers = [
        post_signed(client, "/sms/inbound", plain_sms("HELP", f"in-{n}", sender=PHONE)).json()
        for n in range(3)
    ]

    assert [a["reply_queued"] for a in answers] == [True, False, False]
    assert reply_kinds(conn) == ["help"]


def test_stop_start_stop_start_in_a_day_confirms_each_kind_once(client, conn, customer):
    for n, text in enumerate(["STOP", "START", "STOP", "START", "STOP"]):
        post_signed(client, "/sms/inbound", plain_sms(text, f"in-{n}", sender=PHONE))

    assert sorted(reply_kinds(conn)) == ["opted_in", "opted_out"]


def test_the_same_stop_three_times_in_a_day_is_one_reply_and_the_next_day_another(
    datamart, conn, customer
):
    today = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
    for n, text in enumerate(["STOP", "START", "STOP", "START", "STOP"]):
        receive(datamart, text, f"in-{n}", today + timedelta(minutes=n))
    assert reply_kinds(conn).count("opted_out") == 1

    receive(datamart, "START", "in-5", today + timedelta(days=1))
    receive(datamart, "STOP", "in-6", today + timedelta(days=1, minutes=1))

    assert reply_kinds(conn).count("opted_out") == 2
    assert [r["occurrence_key"] for r in replies(conn) if "opted_out" in r["occurrence_key"]] == [
        f"opted_out:{PHONE}:2026-11-24",
        f"opted_out:{PHONE}:2026-11-25",
    ]


def test_the_day_is_the_utc_day(datamart, conn, customer):
    """20:00 and, past midnight, 00:30 in Paris on a November night are both the 24th in UTC."""
    paris = ZoneInfo("Europe/Paris")

    receive(datamart, "HELP", "in-1", datetime(2026, 11, 24, 20, 0, tzinfo=paris))
    receive(datamart, "HELP", "in-2", datetime(2026, 11, 25, 0, 30, tzinfo=paris))

    assert reply_kinds(conn) == ["help"]


def test_helps_arriving_at_once_queue_a_single_reply(client, conn, customer):
    def send(n: int) -> int:
        body = plain_sms("HELP", f"burst-{n}", sender=PHONE)
        return post_signed(client, "/sms/inbound", body).status_code

    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = list(pool.map(send, range(8)))

    assert statuses == [200] * 8
    assert reply_kinds(conn) == ["help"]


_CAMPAIGN_OCCURRENCE = """
insert into messaging.occurrences (campaign, occurrence_key, customer_id, occurred_at,
    expires_at, as_of, outcome, channel, send_after)
values ('product_interest', 'C1:P-42', 'C1', now(), now() + interval '1 day', now(), 'queued',
    'sms', now())
"""
_CAMPAIGN_SMS = """
insert into messaging.outbox (message_id, campaign, occurrence_key, customer_id, channel,
    recipient, locale, sms_text, send_after, expires_at)
values (gen_random_uuid(), 'product_interest', 'C1:P-42', 'C1', 'sms', %s, 'en',
    '30%% off the P-42. STOP to opt out', now() - interval '1 minute', now() + interval '1 day')
"""


def test_a_keyword_reply_goes_out_as_transactional_sms_a_campaign_as_promotional(
    client, conn, customer, moto_endpoint, monkeypatch, tmp_path
):
    monkeypatch.chdir(tmp_path)  # where moto's recorder writes
    post_signed(client, "/sms/inbound", plain_sms("HELP", "in-1", sender=PHONE))
    conn.execute(_CAMPAIGN_OCCURRENCE)
    conn.execute(_CAMPAIGN_SMS, (PHONE,))
    recorder(moto_endpoint, "reset-recording")
    recorder(moto_endpoint, "start-recording")

    with SnsSender() as sender:
        counts = dispatch_channel(conn, sender, Claim(worker="w", channel="sms"), RetryPolicy())

    recorder(moto_endpoint, "stop-recording")
    assert counts["sent"] == 2
    published = [
        message_attributes(request)
        for request in recorded_requests(moto_endpoint)
        if request.get("Action") == "Publish"
    ]
    assert {a["X-Touchpoint-Campaign"]: a["AWS.SNS.SMS.SMSType"] for a in published} == {
        "sms_keyword_reply": "Transactional",
        "product_interest": "Promotional",
    }
