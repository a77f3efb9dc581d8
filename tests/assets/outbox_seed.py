"""Outbox rows, and the occurrences they belong to, written straight into messaging.* for
dispatch tests: one birthday message per index, due a minute ago, expiring in a day."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from psycopg.rows import dict_row
from psycopg.types.json import Jsonb

from models.messages import OutboundMessage
from senders.email_composition import EmailComposer

NOW = datetime.now(UTC)


def add_message(conn, i: int, channel: str = "email") -> uuid.UUID:
    message_id, key = uuid.uuid4(), f"k{i}"
    recipient = f"u{i}@example.com" if channel == "email" else f"+3247000{i:04d}"
    conn.execute(
        "insert into messaging.occurrences (campaign, occurrence_key, customer_id, occurred_at, "
        "expires_at, context, as_of, outcome, channel, send_after) "
        "values ('birthday', %s, %s, %s, %s, %s, %s, 'queued', %s, %s)",
        (key, f"c-{i}", NOW, NOW + timedelta(days=1), Jsonb({}), NOW, channel, NOW),
    )
    headers = {"X-Touchpoint-Campaign": "birthday", "X-Touchpoint-Message-Id": str(message_id)}
    conn.execute(
        "insert into messaging.outbox (message_id, campaign, occurrence_key, customer_id, "
        "channel, recipient, locale, subject, body_text, body_html, sms_text, headers, "
        "send_after, expires_at) values (%s, 'birthday', %s, %s, %s, %s, 'en', 'Happy birthday', "
        "'Hello', '<p>Hello</p>', 'Happy birthday! STOP to opt out', %s, %s, %s)",
        (
            message_id,
            key,
            f"c-{i}",
            channel,
            recipient,
            Jsonb(headers),
            NOW - timedelta(minutes=1),
            NOW + timedelta(days=1),
        ),
    )
    return message_id


def add_messages(conn, count: int, channel: str = "email") -> list[uuid.UUID]:
    return [add_message(conn, i, channel) for i in range(count)]


def compose_ahead(conn, composer: EmailComposer, message_ids: list[uuid.UUID]) -> None:
    """Store each row's mail composed ahead, as rendering does since mails are composed then."""
    with conn.cursor(row_factory=dict_row) as cursor:
        rows = cursor.execute(
            "select * from messaging.outbox where message_id = any(%s)", (message_ids,)
        ).fetchall()
    for row in rows:
        conn.execute(
            "update messaging.outbox set composed_mail = %s, composed_by = %s "
            "where message_id = %s",
            (
                composer.compose_ahead(OutboundMessage.model_validate(row)),
                composer.composition,
                row["message_id"],
            ),
        )


# Zones covering the UTC offsets from -10 to +10 (local hours come from zoneinfo, DST included).
FIXED_ZONES = (
    "Pacific/Honolulu", "America/Adak", "America/Anchorage", "America/Los_Angeles",
    "America/Phoenix", "America/Bogota", "America/Caracas", "America/Sao_Paulo",
    "America/Noronha", "Atlantic/Cape_Verde", "Africa/Abidjan", "Africa/Lagos",
    "Africa/Johannesburg", "Europe/Istanbul", "Asia/Dubai", "Asia/Karachi", "Asia/Dhaka",
    "Asia/Bangkok", "Asia/Singapore", "Asia/Tokyo", "Australia/Brisbane",
)  # fmt: skip


def early_afternoon_zone(now: datetime) -> str:
    """A zone where it is between 12:00 and 15:59 at ``now``: tests that send by the wall clock
    put their recipients there, so a 09:00–20:00 window is open whenever they run."""
    return next(z for z in FIXED_ZONES if 12 <= now.astimezone(ZoneInfo(z)).hour <= 15)
