"""The SMS segment cap (TOUCHPOINT_SMS_MAX_SEGMENTS) on the real path: the campaign step renders
an over-long SMS as a `failed` occurrence with its reason, queues nothing for it, and dispatch
refuses an over-long row already in the outbox without calling the provider."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from psycopg.types.json import Jsonb

from assets.campaign_step import run_campaigns
from assets.dispatch import dispatch_channel
from assets.outbox_queue import Claim
from models.campaigns import load_campaigns
from models.sms_replies import REPLY_CAMPAIGN
from senders.file import FileSender
from senders.retry_policy import RetryPolicy
from senders.sms_composition import sms_shape
from senders.sms_segment_cap import SegmentCap
from tests.assets.outbox_seed import early_afternoon_zone

NOW = datetime.now(UTC).replace(microsecond=0)
ZONE = early_afternoon_zone(NOW)  # the 09:00-20:00 window is open, so dispatch sends at once

DATAMART = """
create schema marts;
create schema intermediate;
create schema triggers;
create table marts.dim_customers (
    customer_id text primary key, first_name text, last_name text, locale text, language text,
    country text, age integer, email text, phone text, timezone text, can_email boolean,
    can_sms boolean, favoured_channel text
);
create table intermediate.int_contact_suppressions (
    customer_id text, channel text, reason text, suppressed_since timestamptz
);
create table triggers.trg_flash_sale (
    occurrence_key text, customer_id text, occurred_at timestamptz, expires_at timestamptz,
    context jsonb
);
"""

CAMPAIGN_YAML = """
name: flash_sale
description: An SMS that prints the customer's first name.
trigger: trg_flash_sale
channel: sms
priority: 10
conversion: {window_days: 7}
"""
# Rendered: "Hi <name>\nSTOP to opt out", 19 characters around the name.
AROUND_NAME = len("Hi \nSTOP to opt out")
# Three segments hold 3 x 153 GSM-7 septets, or 3 x 67 UTF-16 units once any character
# (here the ë) is outside the GSM alphabet.
FIRST_NAMES = {
    "gsm_fits": "A" * (3 * 153 - AROUND_NAME),
    "gsm_over": "A" * (3 * 153 - AROUND_NAME + 1),
    "ucs2_fits": "Zoë" + "e" * (3 * 67 - AROUND_NAME - 3),
    "ucs2_over": "Zoë" + "e" * (3 * 67 - AROUND_NAME - 2),
}
ANY_RETRY = RetryPolicy(max_attempts=1)


@pytest.fixture
def conn(messaging_conn):
    messaging_conn.execute(DATAMART)
    return messaging_conn


@pytest.fixture
def campaign(tmp_path):
    (tmp_path / "flash_sale.yml").write_text(CAMPAIGN_YAML)
    folder = tmp_path / "templates" / "flash_sale" / "en"
    folder.mkdir(parents=True)
    (folder / "sms.txt").write_text("Hi {{ customer.first_name }}")
    [spec] = load_campaigns(tmp_path, {"trg_flash_sale"})
    return tmp_path, spec


def add_customer(conn, customer_id: str, first_name: str, number: int) -> None:
    conn.execute(
        "insert into marts.dim_customers values (%s, %s, 'Martin', 'en-GB', 'en', 'GB', 40, "
        "null, %s, %s, false, true, null)",
        (customer_id, first_name, f"+4477009{number:05d}", ZONE),
    )
    conn.execute(
        "insert into triggers.trg_flash_sale values (%s, %s, %s, %s, '{}')",
        (f"k-{customer_id}", customer_id, NOW - timedelta(minutes=5), NOW + timedelta(days=1)),
    )


def outcomes(conn) -> dict[str, tuple[str, str | None]]:
    rows = conn.execute("select customer_id, outcome, reason from messaging.occurrences")
    return {customer_id: (outcome, reason) for customer_id, outcome, reason in rows}


def dispatch_sms(conn, folder, max_segments: int = 3):
    with SegmentCap(FileSender(folder), max_segments) as sender:
        return dispatch_channel(conn, sender, Claim(worker="w1", channel="sms"), ANY_RETRY)


def sent_texts(folder) -> dict[str, str]:
    records = (json.loads(path.read_text()) for path in folder.glob("*.json"))
    return {record["customer_id"]: record["text"] for record in records}


def test_an_sms_over_the_cap_fails_at_render_with_its_reason_and_never_reaches_the_sender(
    conn, campaign, tmp_path
):
    campaigns_dir, spec = campaign
    for number, (customer_id, first_name) in enumerate(FIRST_NAMES.items()):
        add_customer(conn, customer_id, first_name, number)

    [result] = run_campaigns(conn, [spec], campaigns_dir, NOW, sms_max_segments=3).values()
    counts = dispatch_sms(conn, tmp_path / "sms")

    assert (result.rendered, result.render_failed) == (2, 2)
    recorded = outcomes(conn)
    assert recorded["gsm_over"] == (
        "failed",
        "render failed: campaign 'flash_sale', locale 'en-GB': SMS is 4 segments "
        "(460 septets of GSM-7), above the limit of 3 (TOUCHPOINT_SMS_MAX_SEGMENTS)",
    )
    assert recorded["ucs2_over"][0] == "failed"
    assert (
        "SMS is 4 segments (202 UTF-16 units of UCS-2), above the limit of 3"
        in (recorded["ucs2_over"][1])
    )
    assert (recorded["gsm_fits"][0], recorded["ucs2_fits"][0]) == ("sent", "sent")
    assert counts["sent"] == 2
    sent = sent_texts(tmp_path / "sms")
    assert sorted(sent) == ["gsm_fits", "ucs2_fits"]
    assert [sms_shape(text).segments for text in sent.values()] == [3, 3]
    assert {sms_shape(text).encoding for text in sent.values()} == {"GSM-7", "UCS-2"}


def test_the_cap_is_the_setting_given_not_a_fixed_three(conn, campaign, tmp_path):
    campaigns_dir, spec = campaign
    add_customer(conn, "gsm_over", FIRST_NAMES["gsm_over"], 1)

    [result] = run_campaigns(conn, [spec], campaigns_dir, NOW, sms_max_segments=4).values()

    assert (result.rendered, result.render_failed) == (1, 0)


def add_outbox_row(conn, campaign: str, customer_id: str, text: str) -> uuid.UUID:
    """A row rendered before the cap existed, or by another process."""
    message_id, key = uuid.uuid4(), f"k-{customer_id}"
    conn.execute(
        "insert into messaging.occurrences (campaign, occurrence_key, customer_id, occurred_at, "
        "expires_at, context, as_of, outcome, channel, send_after) "
        "values (%s, %s, %s, %s, %s, '{}', %s, 'queued', 'sms', %s)",
        (campaign, key, customer_id, NOW, NOW + timedelta(days=1), NOW, NOW),
    )
    conn.execute(
        "insert into messaging.outbox (message_id, campaign, occurrence_key, customer_id, "
        "channel, recipient, locale, sms_text, headers, send_after, expires_at) "
        "values (%s, %s, %s, %s, 'sms', '+32470123456', 'en', %s, %s, %s, %s)",
        (
            message_id,
            campaign,
            key,
            customer_id,
            text,
            Jsonb({}),
            NOW - timedelta(minutes=1),
            NOW + timedelta(days=1),
        ),
    )
    return message_id


def test_an_over_long_row_already_in_the_outbox_fails_at_dispatch_and_is_not_sent(conn, tmp_path):
    over = add_outbox_row(conn, "flash_sale", "c-over", "Long news. " * 120)
    add_outbox_row(conn, "flash_sale", "c-short", "Short news. STOP to opt out")

    counts = dispatch_sms(conn, tmp_path / "sms")

    assert (counts["sent"], counts["failed"]) == (1, 1)
    assert sorted(sent_texts(tmp_path / "sms")) == ["c-short"]
    status, error = conn.execute(
        "select status, last_error from messaging.outbox where message_id = %s", (over,)
    ).fetchone()
    reason = "SMS is 9 segments (1320 septets of GSM-7), above the limit of 3"
    assert status == "failed" and error.startswith(reason)
    assert outcomes(conn)["c-over"] == ("failed", error)


def test_a_keyword_reply_is_answered_whatever_the_cap(conn, tmp_path):
    add_outbox_row(conn, REPLY_CAMPAIGN, "c-help", "Shop: for help, write to us. " * 10)

    counts = dispatch_sms(conn, tmp_path / "sms", max_segments=1)

    assert counts["sent"] == 1
    assert sorted(sent_texts(tmp_path / "sms")) == ["c-help"]
