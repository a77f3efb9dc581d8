"""``POST /sms/inbound``: an SMS a customer sent us (shapes in ``models.inbound_sms``).

Who sent it: every customer with that number in ``marts.dim_customers`` (E.164 there when
valid) or as the recipient of an SMS in ``messaging.outbox``; the one we texted last comes
first. What it means (``models.sms_keywords``) and what it becomes (``models.sms_replies``):

- STOP and friends → ``opted_out`` for each of those customers on ``sms`` and one
  confirmation; a STOP while already opted out is recorded and answered by silence;
- START / UNSTOP → ``opted_in`` and a confirmation; HELP → ``replied`` and the help text;
- a score 0–10 right after our ``satisfaction_survey`` SMS → ``survey_answered``
  ``{"score": n}`` on that message; anything else → ``replied`` ``{"text": …}``.

A reply is not sent from here (the service only records): it is queued as a transactional
message of the pseudo-campaign ``sms_keyword_reply`` — an occurrence (``marketing`` false, so
no cap counts it, and SNS sends it as ``Transactional``) and an outbox row due now with no send
window — and the due-messages sensor's dispatch run sends it. A number nobody has is recorded
(with the number) but gets no reply: no customer, no outbox row.

Each reply costs us an SMS, so a number gets at most one reply of each kind (opt-out, opt-in,
help) a day, the UTC day the SMS arrived: the occurrence key is ``<kind>:<number>:<date>``, and
the outbox's unique (campaign, occurrence key) keeps a second one out whatever the concurrency.
UTC rather than the customer's own day: a stranger's number has no time zone, and the limit
guards our bill, not the customer's evening.

Everything for one SMS happens in one transaction under a lock on the number, and the event's
``source_event_id`` is the provider's inbound id: a webhook delivered twice is recorded, and
answered, once.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

import psycopg
from psycopg.types.json import Jsonb

from models.inbound_sms import InboundSms
from models.sms_keywords import classify
from models.sms_replies import (
    REPLY_CAMPAIGN,
    Reply,
    SmsResponse,
    reply_language,
    reply_text,
    response_to,
)

SURVEY_CAMPAIGN = "satisfaction_survey"

_LOCK = "select pg_advisory_xact_lock(hashtext('touchpoint.sms:' || %s))"
_SEEN = "select 1 from messaging.message_events where source_event_id = %s"
_LAST_SMS = """
select message_id, campaign, customer_id, locale
from messaging.outbox
where channel = 'sms' and recipient = %s and campaign <> %s and status in ('sent', 'in_doubt')
order by coalesce(sent_at, created_at) desc, message_id
limit 1
"""
_OUTBOX_CUSTOMERS = """
select distinct customer_id, null::text from messaging.outbox
where channel = 'sms' and recipient = %s order by 1
"""
_DIM_CUSTOMERS = """
select customer_id, locale from marts.dim_customers where phone = %s order by customer_id
"""
_LATEST_SMS_CONSENT = """
select (
    select e.type from messaging.message_events as e
    where e.customer_id = c.customer_id and e.channel = 'sms'
        and e.type in ('opted_out', 'opted_in', 'unsubscribed', 'complained')
    order by e.occurred_at desc, e.event_id desc
    limit 1
)
from unnest(%s::text[]) as c(customer_id)
"""
_RECORD = """
insert into messaging.message_events
    (message_id, customer_id, channel, type, occurred_at, detail, source_event_id)
values (%s, %s, 'sms', %s, %s, %s, %s)
on conflict (source_event_id) do nothing
"""
_QUEUE_OCCURRENCE = """
insert into messaging.occurrences (
    campaign, occurrence_key, customer_id, occurred_at, expires_at, context, as_of, outcome,
    channel, send_after, marketing
) values (
    %(campaign)s, %(key)s, %(customer_id)s, %(at)s, %(at)s + interval '1 day', %(context)s,
    %(at)s, 'queued', 'sms', %(at)s, false
)
on conflict (campaign, occurrence_key) do nothing
"""
_QUEUE_OUTBOX = """
insert into messaging.outbox (
    message_id, campaign, occurrence_key, customer_id, channel, recipient, locale, sms_text,
    headers, send_after, expires_at
) values (
    %(message_id)s, %(campaign)s, %(key)s, %(customer_id)s, 'sms', %(recipient)s, %(locale)s,
    %(text)s, %(headers)s, %(at)s, %(at)s + interval '1 day'
)
on conflict (campaign, occurrence_key) do nothing
"""


@dataclass(frozen=True)
class _LastSms:
    message_id: uuid.UUID
    campaign: str
    customer_id: str
    locale: str


@dataclass(frozen=True)
class _Reply:
    customer_id: str
    locale: str
    text: str
    kind: Reply


@dataclass(frozen=True)
class _Number:
    """The customers who have the number (the one we texted last first), and their locale."""

    customers: list[str]
    locale: str | None
    last: _LastSms | None


async def handle_inbound_sms(
    conn: psycopg.AsyncConnection, sms: InboundSms, from_email: str, received_at: datetime
) -> dict[str, object]:
    """Record the SMS (as of ``received_at``) and queue its reply; a summary for the webhook's
    answer."""
    classified = classify(sms.text)
    async with conn.transaction():
        await conn.execute(_LOCK, (sms.sender,))
        if await (await conn.execute(_SEEN, (sms.inbound_id,))).fetchone():
            return {"recorded": False, "result": "duplicate"}
        number = await _number(conn, sms.sender)
        opted_out = await _opted_out_already(conn, number.customers)
        answers_survey = number.last is not None and number.last.campaign == SURVEY_CAMPAIGN
        response = response_to(sms.text, classified, answers_survey, opted_out)
        await _record(conn, sms, number, response, received_at)
        language = reply_language(
            number.locale, number.last and number.last.locale, classified.language
        )
        queued = False
        if response.reply and number.customers:
            text = reply_text(response.reply, language, from_email)
            reply = _Reply(number.customers[0], language, text, response.reply)
            queued = await _queue_reply(conn, sms, reply, received_at)
    return {"recorded": True, "type": response.event_type, "reply_queued": queued}


async def _number(conn: psycopg.AsyncConnection, phone: str) -> _Number:
    row = await (await conn.execute(_LAST_SMS, (phone, REPLY_CAMPAIGN))).fetchone()
    last = _LastSms(*row) if row else None
    found = await (await conn.execute(_OUTBOX_CUSTOMERS, (phone,))).fetchall()
    has_dimension = await (
        await conn.execute("select to_regclass('marts.dim_customers') is not null")
    ).fetchone()
    if has_dimension[0]:
        found = await (await conn.execute(_DIM_CUSTOMERS, (phone,))).fetchall() + found
    locales = {customer: locale for customer, locale in reversed(found) if locale}
    customers = list(dict.fromkeys(customer for customer, _ in found))
    if last is not None:
        customers = [last.customer_id] + [c for c in customers if c != last.customer_id]
    primary = customers[0] if customers else None
    return _Number(customers, locales.get(primary), last)


async def _opted_out_already(conn: psycopg.AsyncConnection, customers: list[str]) -> bool:
    if not customers:
        return False
    rows = await (await conn.execute(_LATEST_SMS_CONSENT, (customers,))).fetchall()
    return all(latest not in (None, "opted_in") for (latest,) in rows)


async def _record(
    conn: psycopg.AsyncConnection,
    sms: InboundSms,
    number: _Number,
    response: SmsResponse,
    received_at: datetime,
) -> None:
    """One event; a consent event once per customer of the number (the first carries the
    inbound id as its ``source_event_id``, the others that id and their customer)."""
    customers = number.customers if response.consent else number.customers[:1]
    last = number.last
    for index, customer in enumerate(customers or [None]):
        detail = dict(response.detail)
        if customer is None:
            detail["phone"] = sms.sender
        message_id = last.message_id if last and last.customer_id == customer else None
        source_event_id = sms.inbound_id if index == 0 else f"{sms.inbound_id}#{customer}"
        params = (message_id, customer, response.event_type, received_at, Jsonb(detail))
        await conn.execute(_RECORD, (*params, source_event_id))


async def _queue_reply(
    conn: psycopg.AsyncConnection, sms: InboundSms, reply: _Reply, received_at: datetime
) -> bool:
    """Queue the reply unless the number got this kind of reply already today; whether it was."""
    message_id = uuid.uuid4()
    day = received_at.astimezone(UTC).date().isoformat()
    params = {
        "campaign": REPLY_CAMPAIGN,
        "key": f"{reply.kind}:{sms.sender}:{day}",
        "at": received_at,
        "customer_id": reply.customer_id,
        "context": Jsonb({"keyword": reply.kind, "inbound_message_id": sms.inbound_id}),
        "message_id": message_id,
        "recipient": sms.sender,
        "locale": reply.locale,
        "text": reply.text,
        "headers": Jsonb(
            {"X-Touchpoint-Campaign": REPLY_CAMPAIGN, "X-Touchpoint-Message-Id": str(message_id)}
        ),
    }
    await conn.execute(_QUEUE_OCCURRENCE, params)
    return (await conn.execute(_QUEUE_OUTBOX, params)).rowcount == 1
