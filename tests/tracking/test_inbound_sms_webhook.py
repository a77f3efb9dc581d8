"""Inbound SMS: STOP in any language opts out with one confirmation, START opts back in, HELP
answers, a survey score lands on the survey, anything else is a reply; each message once."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, time, timedelta

import pytest

from assets.dispatch import dispatch_channel
from assets.occurrence_decisions import CampaignPolicy, decide_occurrences
from assets.outbox_queue import Claim, needing_dispatch
from senders.file import FileSender
from senders.retry_policy import RetryPolicy
from tests.tracking.service_rows import (
    add_customer,
    add_sent,
    aws_sms,
    events,
    plain_sms,
    replies,
    sns_notification,
    suppression,
)
from tests.tracking.signing import FAKE_SNS, post_signed, post_sns

PHONE = "+33612345678"


@pytest.fixture
def customer(conn):
    """C1, French, whose number got a birthday SMS an hour ago."""
    add_customer(conn, "C1", PHONE, "fr-FR")
    return add_sent(conn, "C1", channel="sms", recipient=PHONE, locale="fr-FR")


@pytest.mark.parametrize(
    "text",
    ["STOP", "stop", "Stop!", " STOP. ", "ARRÊT", "arret", "désabonner", "ABMELDEN", "Stopp",
     "AFMELDEN", "BAJA", "parar", "ANNULLA", "UNSUBSCRIBE", "Opt-Out", "please stop",
     "Stop texting me please", "Je veux me désabonner"],
)  # fmt: skip
def test_stop_in_any_language_opts_out_with_exactly_one_confirmation(client, conn, customer, text):
    answer = post_signed(client, "/sms/inbound", plain_sms(text, "in-1"))

    assert answer.status_code == 200
    [opted_out] = events(conn, type="opted_out")
    assert (opted_out["customer_id"], opted_out["channel"]) == ("C1", "sms")
    assert opted_out["source_event_id"] == "in-1"
    assert suppression(conn, "C1", "sms") == "opted_out"
    [reply] = replies(conn)
    assert reply["recipient"] == PHONE and reply["customer_id"] == "C1"
    assert "désabonné" in reply["sms_text"]  # in the customer's language
    assert "Garage Dupont" in reply["sms_text"]


def test_a_second_stop_is_recorded_but_answered_by_silence(client, conn, customer):
    post_signed(client, "/sms/inbound", plain_sms("STOP", "in-1"))

    post_signed(client, "/sms/inbound", plain_sms("stop", "in-2"))

    assert len(events(conn, type="opted_out")) == 2
    assert len(replies(conn)) == 1


def test_a_webhook_delivered_twice_is_recorded_and_answered_once(client, conn, customer):
    answers = [post_signed(client, "/sms/inbound", plain_sms("STOP", "in-1")) for _ in range(3)]

    assert [a.status_code for a in answers] == [200, 200, 200]
    assert answers[1].json()["result"] == "duplicate"
    assert len(events(conn, type="opted_out")) == 1
    assert len(replies(conn)) == 1


def test_start_after_stop_opts_back_in_with_a_confirmation(client, conn, customer):
    post_signed(client, "/sms/inbound", plain_sms("STOP", "in-1"))

    post_signed(client, "/sms/inbound", plain_sms("START", "in-2"))

    [opted_in] = events(conn, type="opted_in")
    assert opted_in["customer_id"] == "C1"
    assert suppression(conn, "C1", "sms") is None
    assert [r["context"]["keyword"] for r in replies(conn)] == ["opted_out", "opted_in"]
    assert "START" not in replies(conn)[1]["sms_text"]  # the opt-in confirmation, not STOP's


def test_help_queues_the_help_text_with_sender_contact_and_rates(client, conn):
    add_customer(conn, "C2", "+14155550100", "en-US")

    post_signed(client, "/sms/inbound", plain_sms("HELP", "in-1", sender="+14155550100"))

    [reply] = replies(conn)
    assert "Garage Dupont" in reply["sms_text"]
    assert "service@garage.example" in reply["sms_text"]
    assert "Msg & data rates may apply" in reply["sms_text"]
    [event] = events(conn)
    assert (event["type"], event["detail"]) == ("replied", {"text": "HELP", "keyword": "help"})


def test_a_score_after_the_survey_sms_is_the_survey_answer_on_that_message(client, conn):
    add_customer(conn, "C1", PHONE, "fr-FR")
    add_sent(conn, "C1", channel="sms", recipient=PHONE, sent_ago=timedelta(days=3))
    survey = add_sent(conn, "C1", campaign="satisfaction_survey", channel="sms", recipient=PHONE)

    for inbound_id, text in [("in-1", "9"), ("in-2", " 9 "), ("in-3", "9/10")]:
        post_signed(client, "/sms/inbound", plain_sms(text, inbound_id))

    answers = events(conn, type="survey_answered")
    assert [a["detail"] for a in answers] == [{"score": 9}] * 3
    assert {a["message_id"] for a in answers} == {survey}
    assert {a["customer_id"] for a in answers} == {"C1"}
    assert replies(conn) == []


def test_a_number_when_the_last_sms_was_not_a_survey_is_a_plain_reply(client, conn, customer):
    post_signed(client, "/sms/inbound", plain_sms("9", "in-1"))

    [event] = events(conn)
    assert (event["type"], event["detail"], event["message_id"]) == (
        "replied",
        {"text": "9"},
        customer,
    )


def test_any_other_text_is_a_reply_on_the_last_message_without_an_answer(client, conn, customer):
    post_signed(client, "/sms/inbound", plain_sms("Can I come on Tuesday?", "in-1"))

    [event] = events(conn)
    assert event["type"] == "replied"
    assert event["detail"] == {"text": "Can I come on Tuesday?"}
    assert (event["message_id"], event["customer_id"], event["channel"]) == (customer, "C1", "sms")
    assert replies(conn) == []


def test_aws_two_way_sms_through_sns_is_understood(client, conn, customer):
    body = FAKE_SNS.signed(sns_notification(aws_sms("Arrêt", "aws-inbound-1")))

    answer = post_sns(client, "/sms/inbound", body)

    assert answer.status_code == 200
    [opted_out] = events(conn, type="opted_out")
    assert opted_out["source_event_id"] == "aws-inbound-1"
    assert len(replies(conn)) == 1


def test_a_number_known_only_from_our_outbox_is_still_found(client, conn):
    add_sent(conn, "C9", channel="sms", recipient="+4915112345678", locale="de-DE")

    post_signed(client, "/sms/inbound", plain_sms("STOPP", "in-1", sender="+4915112345678"))

    assert suppression(conn, "C9", "sms") == "opted_out"
    [reply] = replies(conn)
    assert "abgemeldet" in reply["sms_text"]


def test_stop_from_a_shared_number_opts_out_every_customer_who_has_it(client, conn, customer):
    add_customer(conn, "C1-partner", PHONE, "fr-FR")

    post_signed(client, "/sms/inbound", plain_sms("STOP", "in-1"))

    assert suppression(conn, "C1", "sms") == suppression(conn, "C1-partner", "sms") == "opted_out"
    assert len(replies(conn)) == 1


def test_a_stranger_is_recorded_with_the_number_and_gets_no_reply(client, conn):
    post_signed(client, "/sms/inbound", plain_sms("STOP", "in-1", sender="+447700900123"))

    [event] = events(conn)
    assert event["customer_id"] is None and event["detail"]["phone"] == "+447700900123"
    assert replies(conn) == []


def test_replies_are_transactional_and_sent_by_the_next_dispatch_run(
    client, conn, customer, tmp_path
):
    post_signed(client, "/sms/inbound", plain_sms("STOP", "in-1"))
    [reply] = replies(conn)
    assert reply["marketing"] is False  # never counted against the weekly cap
    assert reply["time_zone"] is None and reply["occurrence_time_zone"] is None  # no window
    assert needing_dispatch(conn) == 1  # what the due-messages sensor looks at

    counts = dispatch_channel(
        conn, FileSender(tmp_path), Claim(worker="w", channel="sms"), RetryPolicy()
    )

    assert counts == Counter(sent=1)
    [sent] = replies(conn)
    assert (sent["status"], sent["outcome"]) == ("sent", "sent")
    assert (tmp_path / f"{sent['message_id']}.json").exists()


def test_keyword_replies_never_count_toward_a_campaigns_weekly_cap(client, conn):
    add_customer(conn, "C1", PHONE, "en")
    post_signed(client, "/sms/inbound", plain_sms("HELP", "in-1"))
    post_signed(client, "/sms/inbound", plain_sms("START", "in-2"))
    assert len(replies(conn)) == 2
    conn.execute(JUDGEMENT_INPUTS)
    now = datetime.now(UTC)
    conn.execute(
        "insert into triggers.trg_welcome values ('k1', 'C1', %s, %s, '{}')",
        (now - timedelta(minutes=5), now + timedelta(days=1)),
    )
    welcome = CampaignPolicy(
        campaign="welcome", source_schema="triggers", source_model="trg_welcome",
        channel="sms", priority=10, window_start=time(0), window_end=time(23, 59, 59),
        cooldown=timedelta(0), expiry=None, holdout=0.0, marketing=True,
    )  # fmt: skip

    outcomes = decide_occurrences(conn, [welcome], now, max_per_week=1)

    assert outcomes["welcome"] == Counter(queued=1)


JUDGEMENT_INPUTS = """
create schema if not exists intermediate;
create table if not exists intermediate.int_contact_suppressions (
    customer_id text, channel text, reason text, suppressed_since timestamptz
);
create schema if not exists triggers;
drop table if exists triggers.trg_welcome;
create table triggers.trg_welcome (
    occurrence_key text, customer_id text, occurred_at timestamptz, expires_at timestamptz,
    context jsonb
);
"""
