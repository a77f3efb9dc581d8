"""Rows and bodies for the tracking service tests: messages we sent, customers, inbound SMS,
SES events, and what the datamart then says (events, replies queued, suppressions)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import orjson
from psycopg.rows import dict_row

SECRET = "tracking-test-secret"
FROM = "Garage Dupont <service@garage.example>"
TRACKING_URL = "https://t.garage.example"
TOPIC = "arn:aws:sns:eu-west-1:123456789012:touchpoint-events"

DIM_CUSTOMERS = """
create schema if not exists marts;
create table marts.dim_customers (
    customer_id text primary key, phone text, locale text, timezone text default 'UTC',
    can_email boolean default true, can_sms boolean default true, favoured_channel text
);
"""

EMPTY_TABLES = """
truncate messaging.message_events, messaging.outbox, messaging.occurrences,
    marts.dim_customers, raw.web_events, raw.web_events_rejects
"""


def add_customer(conn, customer_id: str, phone: str | None = None, locale: str = "en") -> None:
    conn.execute(
        "insert into marts.dim_customers (customer_id, phone, locale) values (%s, %s, %s)",
        (customer_id, phone, locale),
    )


def add_sent(
    conn,
    customer_id: str = "C1",
    *,
    campaign: str = "birthday",
    channel: str = "email",
    recipient: str = "c1@example.com",
    locale: str = "en",
    sent_ago: timedelta = timedelta(hours=1),
    provider_message_id: str | None = None,
) -> uuid.UUID:
    """A message of ``campaign`` we sent ``sent_ago``, with its occurrence."""
    message_id, key = uuid.uuid4(), f"{customer_id}:{uuid.uuid4().hex[:8]}"
    sent_at = datetime.now(UTC) - sent_ago
    conn.execute(
        "insert into messaging.occurrences (campaign, occurrence_key, customer_id, occurred_at, "
        "expires_at, as_of, outcome, channel, send_after) "
        "values (%s, %s, %s, %s, %s, %s, 'sent', %s, %s)",
        (campaign, key, customer_id, sent_at, sent_at + timedelta(days=7), sent_at, channel)
        + (sent_at,),
    )
    conn.execute(
        "insert into messaging.outbox (message_id, campaign, occurrence_key, customer_id, channel, "
        "recipient, locale, sms_text, send_after, expires_at, status, provider_message_id, "
        "sent_at) values (%s, %s, %s, %s, %s, %s, %s, 'Hello', %s, %s, 'sent', %s, %s)",
        (
            message_id,
            campaign,
            key,
            customer_id,
            channel,
            recipient,
            locale,
            sent_at,
            sent_at + timedelta(days=7),
            provider_message_id or f"ses-{message_id.hex[:12]}",
            sent_at,
        ),
    )
    return message_id


def events(conn, **where: Any) -> list[dict]:
    """message_events rows matching ``where`` (column = value), oldest first."""
    clauses = " and ".join(f"{column} = %({column})s" for column in where) or "true"
    with conn.cursor(row_factory=dict_row) as cursor:
        return cursor.execute(
            f"select * from messaging.message_events where {clauses} order by event_id", where
        ).fetchall()


def replies(conn) -> list[dict]:
    """The keyword replies queued: outbox rows of sms_keyword_reply with their occurrence."""
    with conn.cursor(row_factory=dict_row) as cursor:
        return cursor.execute(
            "select m.*, o.outcome, o.marketing, o.context, o.time_zone as occurrence_time_zone "
            "from messaging.outbox m join messaging.occurrences o using (campaign, occurrence_key) "
            "where m.campaign = 'sms_keyword_reply' order by m.created_at, m.message_id"
        ).fetchall()


# intermediate.int_contact_suppressions, as the dbt view computes it from message events.
_SUPPRESSION = """
select type from messaging.message_events e
left join messaging.outbox m using (message_id)
where coalesce(e.customer_id, m.customer_id) = %s and coalesce(e.channel, m.channel) = %s
    and (e.type in ('unsubscribed', 'complained', 'opted_out', 'opted_in')
        or (e.type = 'bounced' and lower(coalesce(e.detail ->> 'bounce_type', ''))
            in ('hard', 'permanent')))
order by e.occurred_at desc, e.event_id desc
limit 1
"""


def suppression(conn, customer_id: str, channel: str) -> str | None:
    """Why the customer may not be contacted on the channel now, or None."""
    row = conn.execute(_SUPPRESSION, (customer_id, channel)).fetchone()
    return row[0] if row and row[0] != "opted_in" else None


def plain_sms(text: str, inbound_id: str, sender: str = "+33612345678") -> dict:
    return {"from": sender, "to": "+33700000000", "text": text, "id": inbound_id}


def aws_sms(text: str, inbound_id: str, sender: str = "+33612345678") -> dict:
    return {
        "originationNumber": sender,
        "destinationNumber": "+33700000000",
        "messageKeyword": "KEYWORD_123456789012",
        "messageBody": text,
        "inboundMessageId": inbound_id,
        "previousPublishedMessageId": "wJ0Q4QhZB2nYwCSgVyEPvtN9AgzD9CXEtNw2XNr",
    }


def sns_notification(message: dict, message_id: str | None = None) -> dict:
    """An SNS HTTP(S) notification carrying ``message`` as its JSON text."""
    return {
        "Type": "Notification",
        "MessageId": message_id or str(uuid.uuid4()),
        "TopicArn": TOPIC,
        "Message": orjson.dumps(message).decode(),
        "Timestamp": "2026-11-24T10:00:00.000Z",
        "SignatureVersion": "1",
        "Signature": "EXAMPLEpH+DcEwjAPg8O9mY8dReBSwksfg2S7WKQcikcNKWLQjwu6A4VbeS0QHVCkh=",
        "SigningCertURL": "https://sns.eu-west-1.amazonaws.com/SimpleNotificationService-f3ec.pem",
        "UnsubscribeURL": "https://sns.eu-west-1.amazonaws.com/?Action=Unsubscribe&SubscriptionArn=x",
    }


def ses_event(
    kind: str,
    provider_message_id: str,
    message_id: uuid.UUID | None = None,
    at: str = "2026-11-24T10:00:00.000Z",
    **part: Any,
) -> dict:
    """An SES configuration-set event (``eventType``) about one mail."""
    tags = {"ses:configuration-set": ["touchpoint"], "touchpoint-campaign": ["birthday"]}
    if message_id is not None:
        tags["touchpoint-message-id"] = [str(message_id)]
    part_name = "failure" if kind == "Rendering Failure" else kind[0].lower() + kind[1:]
    return {
        "eventType": kind,
        "mail": {
            "timestamp": "2026-11-24T09:59:58.000Z",
            "source": "service@garage.example",
            "messageId": provider_message_id,
            "destination": ["c1@example.com"],
            "tags": tags,
        },
        part_name: {"timestamp": at, **part},
    }
