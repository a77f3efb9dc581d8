"""Rendering judged occurrences into the outbox: personalised, exactly once, a failing template
recorded `failed` while the rest of the batch goes on, a unique voucher per message."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg
import pytest
from psycopg.rows import dict_row
from psycopg.types.json import Jsonb

from assets.campaign_step import campaign_voucher_terms
from assets.outbox_rendering import render_pending
from assets.rendering import TemplateRenderer
from models.campaigns import load_campaigns
from models.messages import OutboundMessage
from models.tracking import TrackingLinks
from senders.email_composition import EmailComposer
from tests.senders.mail_reading import parse_mail
from tests.senders.outbox_rows import FROM, SECRET, TRACKING_URL
from warehouse.messaging_schema import migrate_messaging

AS_OF = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)

CAMPAIGN_YAML = """
name: {name}
description: A crafted campaign for the rendering tests.
trigger: trg_{name}
channel: email
priority: 10
voucher: {{kind: amount, value: 10, currency: EUR, valid_days: 30}}
conversion: {{window_days: 7}}
"""

TEMPLATES = {
    "subject.txt": "Hello {{ customer.first_name }}",
    "email.html": "<p>Hello {{ customer.first_name }}, code {{ voucher.code }}</p>",
    "email.txt": "Hello {{ customer.first_name }}, code {{ voucher.code }} "
    "until {{ voucher.expires_at | date }}",
}
# A template reaching for Python internals: the sandbox must refuse it.
HOSTILE_SUBJECT = "{{ customer.__class__.__mro__[1].__subclasses__() }}"


def write_campaign(root: Path, name: str, templates: dict[str, str]) -> None:
    (root / f"{name}.yml").write_text(CAMPAIGN_YAML.format(name=name))
    folder = root / "templates" / name / "en"
    folder.mkdir(parents=True)
    for part, text in templates.items():
        (folder / part).write_text(text)


@pytest.fixture
def campaigns(tmp_path):
    write_campaign(tmp_path, "friendly", TEMPLATES)
    write_campaign(tmp_path, "hostile", {**TEMPLATES, "subject.txt": HOSTILE_SUBJECT})
    specs = load_campaigns(tmp_path, {"trg_friendly", "trg_hostile"})
    return tmp_path, {spec.name: spec for spec in specs}


@pytest.fixture
def conn(database_url):
    migrate_messaging(database_url)
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute(
            "create schema marts; create table marts.dim_customers (customer_id text, "
            "first_name text, last_name text, locale text, language text, country text, "
            "age integer, email text, phone text, timezone text)"
        )
        yield conn


def add_customer(conn, customer_id: str, first_name: str) -> None:
    conn.execute(
        "insert into marts.dim_customers values (%s, %s, 'Martin', 'en-GB', 'en', 'GB', 40, "
        "%s, null, 'Europe/London')",
        (customer_id, first_name, f"{customer_id}@example.com"),
    )


def add_queued(conn, campaign: str, key: str, customer_id: str) -> None:
    conn.execute(
        "insert into messaging.occurrences (campaign, occurrence_key, customer_id, occurred_at, "
        "expires_at, context, as_of, outcome, channel, send_after) "
        "values (%s, %s, %s, %s, %s, %s, %s, 'queued', 'email', %s)",
        (campaign, key, customer_id, AS_OF, AS_OF + timedelta(days=7), Jsonb({}), AS_OF, AS_OF),
    )


def render(conn, campaigns_dir, specs, names, composer=None):
    renderer = TemplateRenderer(campaigns_dir, specs)
    terms = campaign_voucher_terms([specs[name] for name in names])
    return render_pending(conn, names, renderer.render, terms, composer)


def test_a_template_reaching_python_internals_fails_that_occurrence_and_the_rest_go_on(
    conn, campaigns
):
    campaigns_dir, specs = campaigns
    for customer_id in ("c1", "c2"):
        add_customer(conn, customer_id, "Ann")
        add_queued(conn, "friendly", f"k-{customer_id}", customer_id)
    add_queued(conn, "hostile", "k-c1", "c1")

    counts = render(conn, campaigns_dir, specs, ["friendly", "hostile"])

    assert (counts["rendered"], counts["failed"]) == (2, 1)
    outcome, reason = conn.execute(
        "select outcome, reason from messaging.occurrences where campaign = 'hostile'"
    ).fetchone()
    assert outcome == "failed"
    assert reason.startswith("render failed:") and "hostile" in reason
    assert "Traceback" not in reason
    assert conn.execute("select count(*) from messaging.outbox").fetchone() == (2,)


def test_each_message_gets_its_own_voucher_stored_with_value_and_expiry(conn, campaigns):
    campaigns_dir, specs = campaigns
    for customer_id in ("c1", "c2"):
        add_customer(conn, customer_id, "Ann")
        add_queued(conn, "friendly", f"k-{customer_id}", customer_id)

    render(conn, campaigns_dir, specs, ["friendly"])

    vouchers = conn.execute(
        "select v.code, v.value, v.currency, v.expires_at, m.body_text from messaging.vouchers v "
        "join messaging.outbox m using (campaign, occurrence_key) order by v.customer_id"
    ).fetchall()
    assert len({code for code, *_ in vouchers}) == 2
    for code, value, currency, expires_at, text in vouchers:
        assert (value, currency) == (10, "EUR")
        assert expires_at == AS_OF + timedelta(days=30)
        assert code in text and "23 December 2026" in text


def test_rendering_again_adds_nothing(conn, campaigns):
    campaigns_dir, specs = campaigns
    add_customer(conn, "c1", "Ann")
    add_queued(conn, "friendly", "k-c1", "c1")

    first = render(conn, campaigns_dir, specs, ["friendly"])
    second = render(conn, campaigns_dir, specs, ["friendly"])

    assert (first["rendered"], second["rendered"]) == (1, 0)
    assert conn.execute("select count(*) from messaging.vouchers").fetchone() == (1,)


def test_the_outbox_row_carries_what_a_sender_needs(conn, campaigns):
    campaigns_dir, specs = campaigns
    add_customer(conn, "c1", "<b>Ann</b>\r\nBcc: x@evil.example")
    add_queued(conn, "friendly", "k-c1", "c1")

    render(conn, campaigns_dir, specs, ["friendly"])

    row = conn.execute(
        "select message_id, recipient, locale, subject, body_html, headers from messaging.outbox"
    ).fetchone()
    message_id, recipient, locale, subject, html, headers = row
    assert recipient == "c1@example.com"
    assert locale == "en"
    assert "\n" not in subject and "\r" not in subject
    assert "&lt;b&gt;Ann&lt;/b&gt;" in html
    assert headers == {
        "X-Touchpoint-Campaign": "friendly",
        "X-Touchpoint-Message-Id": str(message_id),
        "Content-Language": "en",
    }


def test_each_mail_is_composed_when_rendered_as_dispatch_would_compose_it(conn, campaigns):
    campaigns_dir, specs = campaigns
    composer = EmailComposer(FROM, TrackingLinks(TRACKING_URL, SECRET))
    add_customer(conn, "c1", "Ann")
    add_queued(conn, "friendly", "k-c1", "c1")

    render(conn, campaigns_dir, specs, ["friendly"], composer)

    with conn.cursor(row_factory=dict_row) as cursor:
        row = cursor.execute("select * from messaging.outbox").fetchone()
    assert row["composed_by"] == composer.composition
    stored = OutboundMessage.model_validate(row)
    fresh = stored.model_copy(update={"composed_mail": None, "composed_by": None})
    assert row["composed_mail"] == composer.compose_ahead(fresh)
    mail = parse_mail(composer.compose(stored).data)
    assert mail["Subject"] == "Hello Ann"
    assert mail["X-Touchpoint-Message-Id"] == str(row["message_id"])
    assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_a_row_no_mail_can_be_made_of_is_stored_without_one(conn, campaigns):
    campaigns_dir, specs = campaigns
    composer = EmailComposer(FROM, TrackingLinks(TRACKING_URL, SECRET))
    add_customer(conn, "c1", "Ann")
    conn.execute("update marts.dim_customers set email = 'not an address'")
    add_queued(conn, "friendly", "k-c1", "c1")

    counts = render(conn, campaigns_dir, specs, ["friendly"], composer)

    assert counts["rendered"] == 1  # dispatch records why it cannot be sent, as before
    assert conn.execute("select composed_mail, composed_by from messaging.outbox").fetchone() == (
        None,
        None,
    )
