"""A crafted datamart for journey tests: the relations the engine and the judgement read
(customers, suppressions, orders, one trigger), as plain tables, and journeys written to a
temporary folder with their templates. tests/e2e runs the built-in journeys on the real dbt
models."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import psycopg
from psycopg.types.json import Jsonb

from assets.journey_step import JourneyResult, run_journeys
from models.journeys import DbtKnowledge, JourneySpec, load_journey

DATAMART = """
create schema marts;
create schema intermediate;
create schema triggers;
create table marts.dim_customers (
    customer_id text primary key, timezone text, can_email boolean, can_sms boolean,
    favoured_channel text, first_name text, last_name text, locale text, language text,
    country text, age integer, email text, phone text, loyalty_tier text
);
create table intermediate.int_contact_suppressions (
    customer_id text, channel text, reason text, suppressed_since timestamptz
);
create table marts.fct_orders (customer_id text, ordered_at timestamptz, voucher_codes text);
create table triggers.trg_signup (
    occurrence_key text, customer_id text, occurred_at timestamptz, expires_at timestamptz,
    context jsonb
);
"""

KNOWLEDGE = DbtKnowledge(
    models={"trg_signup"}, customer_columns={"customer_id", "country", "loyalty_tier", "age"}
)

EMAIL_TEMPLATES = {
    "subject.txt": "Hello {{ customer.first_name }}",
    "email.html": "<p>Step {{ event.journey.step }} {{ event.journey.variant or '' }}</p>",
    "email.txt": "Step {{ event.journey.step }} {{ event.journey.variant or '' }}",
}
SMS_TEMPLATES = {"sms.txt": "Step {{ event.journey.step }}"}


def create_datamart(conn: psycopg.Connection) -> None:
    conn.execute(DATAMART)


def add_customer(conn, customer_id: str, timezone: str = "Europe/Paris", **columns) -> None:
    values = {
        "customer_id": customer_id,
        "timezone": timezone,
        "can_email": True,
        "can_sms": True,
        "first_name": customer_id.title(),
        "locale": "en",
        "language": "en",
        "country": "FR",
        "email": f"{customer_id}@example.com",
        "phone": "+33612345678",
        **columns,
    }
    names = ", ".join(values)
    marks = ", ".join(["%s"] * len(values))
    conn.execute(
        f"insert into marts.dim_customers ({names}) values ({marks})", list(values.values())
    )


def add_entry(
    conn,
    key: str,
    customer_id: str,
    at: datetime,
    context: dict | None = None,
    lasts: timedelta = timedelta(days=7),
):
    conn.execute(
        "insert into triggers.trg_signup values (%s, %s, %s, %s, %s)",
        (key, customer_id, at, at + lasts, Jsonb(context or {})),
    )


def add_order(conn, customer_id: str, at: datetime, voucher_codes: str | None = None) -> None:
    conn.execute(
        "insert into marts.fct_orders values (%s, %s, %s)", (customer_id, at, voucher_codes)
    )


def write_journey(folder: Path, text: str, channels: dict[str, str]) -> JourneySpec:
    """`text` is the YAML; `channels` maps each message step (or `step.variant`) to the channel
    its templates are written for."""
    name = next(
        line.split(":", 1)[1].strip() for line in text.splitlines() if line.startswith("name:")
    )
    path = folder / f"{name}.yml"
    path.write_text(text)
    for step, channel in channels.items():
        locale = folder / "templates" / name / step / "en"
        locale.mkdir(parents=True, exist_ok=True)
        for part, body in (EMAIL_TEMPLATES if channel == "email" else SMS_TEMPLATES).items():
            (locale / part).write_text(body)
    return load_journey(path, KNOWLEDGE)


def advance(conn, folder: Path, specs: list[JourneySpec], as_of: datetime) -> JourneyResult:
    return run_journeys(conn, specs, folder, as_of)[specs[-1].name]


def step_of(conn, customer_id: str, journey: str) -> tuple[str, str]:
    """(status, step) of the customer's latest enrolment."""
    return conn.execute(
        "select status, step from messaging.journey_enrolments where customer_id = %s"
        " and journey = %s order by enrolment_id desc limit 1",
        (customer_id, journey),
    ).fetchone()


def messages(conn, customer_id: str) -> list[tuple[str, str]]:
    """(campaign, outcome) of every occurrence of the customer, in decision order."""
    return conn.execute(
        "select campaign, outcome from messaging.occurrences where customer_id = %s"
        " order by decided_at, occurred_at, campaign",
        (customer_id,),
    ).fetchall()
