"""Rendering judged occurrences into ``messaging.outbox``, personalised, exactly once.

Picks the occurrences judged ``queued`` or ``deferred`` that have no outbox row yet, so a run
cut off half way is finished by the next one. Each chunk is rendered in Python (Jinja2 in a
sandbox, see assets/rendering.py) and written in one transaction: the outbox row with
``ON CONFLICT DO NOTHING`` on (campaign, occurrence key), then the voucher of each row that
went in. A template that fails records the occurrence ``failed`` with the reason; the rest of
the chunk goes on.

Given the dispatcher's ``EmailComposer``, an email's mail is composed here too, all but its
``Date`` (senders/email_composition.py), and stored with the row, so dispatch only adds the
``Date`` and sends. A row no mail can be made of (a malformed address, say) is stored without
one: dispatch composes it again and records why it cannot be sent, as it always did.
"""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Protocol
from zoneinfo import ZoneInfo

import psycopg
from psycopg.rows import dict_row
from psycopg.types.json import Jsonb

from assets.rendering import RenderedMessage, RenderError
from assets.vouchers import Voucher, VoucherTerms, issue_voucher
from models.messages import OutboundMessage
from senders.email_composition import CompositionError, EmailComposer

CHUNK_SIZE = 500

# (campaign, channel, locale, template variables) → the rendered message
Renderer = Callable[[str, str, str, dict], RenderedMessage]
# an occurrence (a row of _PENDING) → the voucher its message hands out, if any
VoucherTermsOf = Callable[[dict], VoucherTerms | None]

_PENDING = """
select
    o.campaign, o.occurrence_key, o.customer_id, o.channel, o.send_after, o.expires_at,
    o.time_zone, o.window_start, o.window_end, o.context,
    c.first_name, c.last_name, c.locale, c.language, c.country, c.age, c.email, c.phone, c.timezone
from messaging.occurrences as o
inner join marts.dim_customers as c on c.customer_id = o.customer_id
where o.campaign = any(%(campaigns)s)
    and o.outcome in ('queued', 'deferred')
    and not exists (
        select 1 from messaging.outbox as m
        where m.campaign = o.campaign and m.occurrence_key = o.occurrence_key
    )
order by o.campaign, o.occurrence_key
"""

_INSERT_OUTBOX = """
insert into messaging.outbox (
    message_id, campaign, occurrence_key, customer_id, channel, recipient, locale,
    subject, body_text, body_html, sms_text, headers, send_after, expires_at,
    time_zone, window_start, window_end, composed_mail, composed_by
) values (
    %(message_id)s, %(campaign)s, %(occurrence_key)s, %(customer_id)s, %(channel)s,
    %(recipient)s, %(locale)s, %(subject)s, %(body_text)s, %(body_html)s, %(sms_text)s,
    %(headers)s, %(send_after)s, %(expires_at)s, %(time_zone)s, %(window_start)s, %(window_end)s,
    %(composed_mail)s, %(composed_by)s
)
on conflict (campaign, occurrence_key) do nothing
returning campaign, occurrence_key
"""

_INSERT_VOUCHER = """
insert into messaging.vouchers (
    code, campaign, occurrence_key, customer_id, kind, value, currency, valid_from, expires_at
) values (
    %(code)s, %(campaign)s, %(occurrence_key)s, %(customer_id)s, %(kind)s, %(value)s,
    %(currency)s, %(valid_from)s, %(expires_at)s
)
"""

_RECORD_FAILURE = """
update messaging.occurrences set outcome = 'failed', reason = %(reason)s
where campaign = %(campaign)s and occurrence_key = %(occurrence_key)s
    and outcome in ('queued', 'deferred')
"""


class MailComposers(Protocol):
    """The ``senders`` resource as rendering sees it: the composer dispatch sends mail with."""

    def email_composer(self) -> EmailComposer: ...


@dataclass(frozen=True)
class OutboxMessage:
    row: dict
    voucher: Voucher | None


def render_pending(
    conn: psycopg.Connection,
    campaigns: list[str],
    render: Renderer,
    voucher_terms: VoucherTermsOf,
    composer: EmailComposer | None = None,
) -> Counter:
    """Render every pending occurrence of these campaigns, and compose the mails with
    ``composer`` when given; counts of `rendered` and `failed`.

    A chunk is written on a thread while the next one is rendered: rendering holds Python's
    lock, writing waits on the server, so the two overlap (8 of the 50 s of rendering a first
    pass at 1 M customers was waiting for writes). Chunks are still written one at a time, in
    order, each in its own transaction."""
    counts: Counter = Counter()
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="outbox-writer") as writer:
        writing: Future | None = None
        for chunk in _pending_chunks(conn, campaigns):
            messages, failures = _render_chunk(chunk, render, voucher_terms, composer)
            if writing is not None:
                counts["rendered"] += writing.result()
            writing = writer.submit(_write, conn, messages, failures)
            counts["failed"] += len(failures)
        if writing is not None:
            counts["rendered"] += writing.result()
    return counts


def _render_chunk(
    chunk: list[dict],
    render: Renderer,
    voucher_terms: VoucherTermsOf,
    composer: EmailComposer | None,
) -> tuple[list[OutboxMessage], list[dict]]:
    """The chunk's messages, and its occurrences whose template failed, with the reason."""
    messages, failures = [], []
    for occurrence in chunk:
        try:
            message = _compose(occurrence, render, voucher_terms(occurrence))
            messages.append(_with_mail(message, composer))
        except RenderError as error:
            failures.append({**occurrence, "reason": f"render failed: {error}"})
    return messages, failures


def _pending_chunks(conn: psycopg.Connection, campaigns: list[str]) -> Iterator[list[dict]]:
    """Pending occurrences in chunks, read before any write so the cursor is not disturbed."""
    with conn.cursor(row_factory=dict_row) as cursor:
        rows = cursor.execute(_PENDING, {"campaigns": campaigns}).fetchall()
    for start in range(0, len(rows), CHUNK_SIZE):
        yield rows[start : start + CHUNK_SIZE]


def template_variables(occurrence: dict, voucher: Voucher | None) -> dict:
    """What every template sees (docs/triggers.md)."""
    customer = {
        key: occurrence[key]
        for key in ("customer_id", "first_name", "last_name", "locale", "language", "country")
    }
    customer["age"] = occurrence["age"]
    return {
        "customer": customer,
        "event": occurrence["context"] or {},
        # Shown in the recipient's zone: a code valid until 01:00 UTC ends the evening before
        # in New York.
        "voucher": voucher.as_template_value(ZoneInfo(occurrence["timezone"])) if voucher else None,
        "campaign": occurrence["campaign"],
    }


def _compose(occurrence: dict, render: Renderer, terms: VoucherTerms | None) -> OutboxMessage:
    voucher = issue_voucher(terms, occurrence["send_after"]) if terms else None
    channel = occurrence["channel"]
    locale = occurrence["locale"] or occurrence["language"] or "en"
    rendered = render(
        occurrence["campaign"], channel, locale, template_variables(occurrence, voucher)
    )
    message_id = uuid.uuid4()
    row = {
        "message_id": message_id,
        "campaign": occurrence["campaign"],
        "occurrence_key": occurrence["occurrence_key"],
        "customer_id": occurrence["customer_id"],
        "channel": channel,
        "recipient": occurrence["email"] if channel == "email" else occurrence["phone"],
        "locale": rendered.locale,
        "subject": rendered.subject,
        "body_text": rendered.text,
        "body_html": rendered.html,
        "sms_text": rendered.sms_text,
        "headers": {
            "X-Touchpoint-Campaign": occurrence["campaign"],
            "X-Touchpoint-Message-Id": str(message_id),
            "Content-Language": rendered.locale,
            **journey_headers(occurrence["context"] or {}),
        },
        "send_after": occurrence["send_after"],
        "expires_at": occurrence["expires_at"],
        # Dispatch checks the window again at send time, as the retry or run may come late.
        "time_zone": occurrence["time_zone"],
        "window_start": occurrence["window_start"],
        "window_end": occurrence["window_end"],
        "composed_mail": None,
        "composed_by": None,
    }
    return OutboxMessage(row=row, voucher=voucher)


def _with_mail(message: OutboxMessage, composer: EmailComposer | None) -> OutboxMessage:
    """The message with its mail composed ahead, when it is an email and one can be made."""
    row = message.row
    if composer is None or row["channel"] != "email":
        return message
    try:
        mail = composer.compose_ahead(OutboundMessage.model_validate(row))
    except CompositionError:
        return message  # dispatch composes it again and records why it cannot go
    composed = {"composed_mail": mail, "composed_by": composer.composition}
    return OutboxMessage(row=row | composed, voucher=message.voucher)


def journey_headers(context: dict) -> dict[str, str]:
    """A journey message says which journey, version, step and variant it comes from."""
    journey = context.get("journey")
    if not isinstance(journey, dict):
        return {}
    headers = {
        "X-Touchpoint-Journey": str(journey["name"]),
        "X-Touchpoint-Journey-Version": str(journey["version"]),
        "X-Touchpoint-Journey-Step": str(journey["step"]),
    }
    if journey.get("variant"):
        headers["X-Touchpoint-Variant"] = str(journey["variant"])
    return headers


def _write(conn: psycopg.Connection, messages: list[OutboxMessage], failures: list[dict]) -> int:
    """One transaction a chunk; returns how many outbox rows went in."""
    with conn.transaction(), conn.cursor() as cursor:
        inserted = set()
        if messages:
            rows = [m.row | {"headers": Jsonb(m.row["headers"])} for m in messages]
            cursor.executemany(_INSERT_OUTBOX, rows, returning=True)
            inserted = _returned_keys(cursor)
        vouchers = [_voucher_row(m) for m in messages if m.voucher and _key(m.row) in inserted]
        if vouchers:
            cursor.executemany(_INSERT_VOUCHER, vouchers)
        if failures:
            cursor.executemany(_RECORD_FAILURE, failures)
    return len(inserted)


def _key(row: dict) -> tuple[str, str]:
    return row["campaign"], row["occurrence_key"]


def _returned_keys(cursor: psycopg.Cursor) -> set[tuple[str, str]]:
    """The (campaign, occurrence key) pairs an executemany(..., returning=True) inserted."""
    keys = set()
    while True:
        keys.update((campaign, key) for campaign, key in cursor.fetchall())
        if not cursor.nextset():
            return keys


def _voucher_row(message: OutboxMessage) -> dict:
    voucher = message.voucher
    return {
        "code": voucher.code,
        "campaign": message.row["campaign"],
        "occurrence_key": message.row["occurrence_key"],
        "customer_id": message.row["customer_id"],
        "kind": voucher.kind,
        "value": voucher.value,
        "currency": voucher.currency,
        "valid_from": voucher.valid_from,
        "expires_at": voucher.expires_at,
    }
