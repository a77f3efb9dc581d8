"""Rows a journey run leaves behind, written as the journey engine writes them: the version's
spec, then per message an occurrence whose context names the journey, step and variant, the
outbox row with the journey headers, and its events; plus the customers (in the CRM, as the
datamart needs them) and the orders (till lines) that convert them."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

import psycopg
from psycopg.types.json import Jsonb

from models.journeys import JourneySpec


def experiment_journey(
    name: str, min_sample: int, winner: str, variants: tuple[str, str]
) -> JourneySpec:
    """A journey whose first step splits its recipients between two variants, the first the
    control, followed by a plain message step."""
    control, other = variants
    return JourneySpec.model_validate(
        {
            "name": name,
            "description": f"The {name} experiment.",
            "entry": {"trigger": "trg_abandoned_basket"},
            "priority": 50,
            "conversion": {"goal": "order", "window_days": 3},
            "steps": [
                {
                    "id": "offer",
                    "message": {
                        "channel": "email",
                        "experiment": {
                            "control": control,
                            "min_sample": min_sample,
                            "winner": winner,
                            "variants": {control: {"weight": 1}, other: {"weight": 1}},
                        },
                    },
                },
                {"id": "pause", "wait": {"for": "2d"}},
                {"id": "follow_up", "message": {"channel": "email"}},
            ],
        }
    )


def add_version(conn: psycopg.Connection, journey: JourneySpec) -> None:
    conn.execute(
        "insert into messaging.journey_versions (journey, version, spec) values (%s, %s, %s)",
        (journey.name, journey.version, Jsonb(journey.model_dump(mode="json", by_alias=True))),
    )


def add_customers(conn: psycopg.Connection, customer_ids: list[str]) -> None:
    with conn.cursor() as cursor:
        cursor.executemany(
            "insert into raw.crm_customers (customer_id, email, first_name, last_name, language, "
            "country, timezone, email_opt_in, sms_opt_in, updated_at, _source, _row_number, "
            "_loaded_at) values (%s, %s, 'Test', %s, 'en', 'BE', 'Europe/Brussels', 'true', "
            "'false', '2026-01-01T00:00:00Z', 'crm/customers/journeys.csv', %s, "
            "'2026-01-02T00:00:00Z')",
            [(c, f"{c}@example.com", c, n) for n, c in enumerate(customer_ids, start=1)],
        )


def add_order(conn: psycopg.Connection, customer_id: str, at: datetime) -> None:
    """A till sale of 40 EUR by the customer."""
    conn.execute(
        "insert into raw.pos_transactions (transaction_id, line_number, store_id, customer_id, "
        "product_id, quantity, unit_price, currency, purchased_at, _source, _row_number, "
        "_loaded_at) values (%s, '1', 'S1', %s, 'p1', '1', '40', 'EUR', %s, "
        "'pos/transactions/journeys.csv', 1, '2026-11-23T00:00:00Z')",
        (f"TX-{customer_id}-{at:%m%d}", customer_id, at.isoformat()),
    )


def add_journey_message(
    conn: psycopg.Connection,
    journey: JourneySpec,
    step: str,
    variant: str | None,
    customer_id: str,
    enrolment_id: int,
    sent_at: datetime | None,
    reactions: tuple[str, ...] = (),
    outcome: str = "sent",
) -> None:
    """One message of a journey step, sent at `sent_at` (None: still queued) and reacted to an
    hour later with each of `reactions` (opened, clicked); `outcome` held_out writes the
    occurrence alone."""
    campaign = f"{journey.name}.{step}"
    key = f"{journey.name}:{enrolment_id}:{step}:1"
    planned = sent_at or datetime.fromisoformat("2026-11-22T10:00:00+00:00")
    context = {
        "journey": {
            "name": journey.name,
            "version": journey.version,
            "step": step,
            "enrolment_id": enrolment_id,
            "variant": variant,
        }
    }
    conn.execute(
        "insert into messaging.occurrences (campaign, occurrence_key, customer_id, occurred_at, "
        "expires_at, context, as_of, outcome, channel, send_after) "
        "values (%s, %s, %s, %s, %s, %s, %s, %s, 'email', %s)",
        (
            campaign,
            key,
            customer_id,
            planned - timedelta(hours=1),
            planned + timedelta(days=7),
            Jsonb(context),
            planned,
            outcome if sent_at or outcome == "held_out" else "queued",
            planned,
        ),
    )
    if outcome == "held_out":
        return
    message_id = uuid.uuid4()
    headers = {
        "X-Touchpoint-Campaign": campaign,
        "X-Touchpoint-Message-Id": str(message_id),
        "X-Touchpoint-Journey": journey.name,
        "X-Touchpoint-Journey-Version": journey.version,
        "X-Touchpoint-Journey-Step": step,
        **({"X-Touchpoint-Variant": variant} if variant else {}),
    }
    conn.execute(
        "insert into messaging.outbox (message_id, campaign, occurrence_key, customer_id, "
        "channel, recipient, locale, subject, body_text, body_html, headers, send_after, "
        "expires_at, status, sent_at) values (%s, %s, %s, %s, 'email', %s, 'en', 'An offer', "
        "'Hello', '<p>Hello</p>', %s, %s, %s, %s, %s)",
        (
            message_id,
            campaign,
            key,
            customer_id,
            f"{customer_id}@example.com",
            Jsonb(headers),
            planned,
            planned + timedelta(days=7),
            "sent" if sent_at else "queued",
            sent_at,
        ),
    )
    if sent_at is None:
        return
    events = [("sent", sent_at)] + [(r, sent_at + timedelta(hours=1)) for r in reactions]
    with conn.cursor() as cursor:
        cursor.executemany(
            "insert into messaging.message_events (message_id, type, occurred_at) "
            "values (%s, %s, %s)",
            [(message_id, kind, at) for kind, at in events],
        )
