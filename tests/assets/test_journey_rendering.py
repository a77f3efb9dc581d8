"""The built-in journeys' templates: every step in every locale it has renders from the context
its entry model gives, the step's folder or the variant's own, and the voucher of the step or
of the recipient's variant."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from assets.journey_rendering import JourneyRenderer, journey_voucher_terms, step_templates
from models.journeys import DbtKnowledge, load_journeys
from models.tracking import SURVEY_MARKER, survey_marker
from tests.models.campaign_files import ROOT, documented_models

BUILT_IN_JOURNEYS = ROOT / "journeys"
CUSTOMER_COLUMNS = {"customer_id", "country", "language", "age", "lifecycle_stage"}
BLAZER = {
    "product_id": "P2",
    "name": "Navy blazer",
    "price": 189.0,
    "currency": "EUR",
    "url": "https://shop.example.com/p2",
    "image_url": "https://shop.example.com/p2.jpg",
}
CAR = {"vehicle_id": "V1", "make": "Peugeot", "model": "3008", "model_year": 2026}
VEHICLE = {
    **CAR,
    "delivered_at": "2026-11-16",
    "years": 3,
    "due_date": "2026-12-01",
    "overdue_days": 0,
}

# What each journey's entry model puts in `context` (docs/triggers.md).
ENTRY_CONTEXT = {
    "basket_recovery": {
        "items": [
            {**BLAZER, "quantity": 1},
            {
                "product_id": "P1",
                "name": "Chino trousers",
                "price": 79.9,
                "currency": "EUR",
                "url": None,
                "image_url": None,
                "quantity": 2,
            },
        ],
        "last_activity_at": "2026-11-23T09:30:00Z",
    },
    "vehicle_lifecycle": VEHICLE,
    "welcome_series": {"created_at": "2026-11-22", "bestsellers": [BLAZER]},
}
VOUCHER = {"code": "K7PX-3MQA-9WTR", "expires_at": datetime(2026, 12, 7, 9, 0, tzinfo=UTC)}


def built_in_journeys():
    models = documented_models()
    return load_journeys(BUILT_IN_JOURNEYS, DbtKnowledge(models, CUSTOMER_COLUMNS))


def variables(
    journey: str, step: str, locale: str, variant: str | None = None, **event: object
) -> dict:
    spec = next(j for j in built_in_journeys() if j.name == journey)
    context = {
        **ENTRY_CONTEXT[journey],
        **event,
        "journey": {"name": journey, "version": spec.version, "step": step, "variant": variant},
    }
    terms = journey_voucher_terms([spec])({"context": context})
    voucher = (
        {**VOUCHER, "kind": terms.kind, "value": terms.value, "currency": terms.currency}
        if terms
        else None
    )
    return {
        "customer": {
            "customer_id": "C1",
            "first_name": "Anna",
            "last_name": "Martin",
            "locale": locale,
            "language": locale.split("-")[0],
            "country": "FR",
            "age": 35,
        },
        "event": context,
        "voucher": voucher,
        "campaign": f"{journey}.{step}",
    }


def cases() -> list[tuple[str, str, str | None, str, str]]:
    """(journey, step, variant, channel, locale) for every templates folder and locale."""
    found = []
    for spec in built_in_journeys():
        for (step_id, variant), templates in step_templates(BUILT_IN_JOURNEYS, spec).items():
            message = spec.step(step_id).message
            channels = ["email", "sms"] if templates.channel == "best" else [templates.channel]
            channels = [c for c in channels if c in message.channels()]
            folder = BUILT_IN_JOURNEYS / "templates" / templates.name
            # the step's own folder serves the variants that have none of their own
            experiment = message.experiment
            variants = [variant] if variant or not experiment else list(experiment.variants)
            for locale in sorted(p.name for p in folder.iterdir()):
                found += [(spec.name, step_id, v, c, locale) for c in channels for v in variants]
    return found


def render(
    journey: str,
    step: str,
    channel: str,
    locale: str,
    variant: str | None = None,
    **event: object,
):
    renderer = JourneyRenderer(BUILT_IN_JOURNEYS, built_in_journeys())
    return renderer.render(
        f"{journey}.{step}", channel, locale, variables(journey, step, locale, variant, **event)
    )


@pytest.mark.parametrize(("journey", "step", "variant", "channel", "locale"), cases())
def test_every_built_in_journey_template_renders_in_every_locale_it_has(
    journey, step, variant, channel, locale
):
    message = render(journey, step, channel, locale, variant)

    assert message.locale == locale
    if channel == "email":
        assert message.subject and message.text and "<html" in message.html
    else:
        assert message.sms_text and message.subject is None


def test_the_basket_email_lists_every_item_with_its_quantity():
    message = render("basket_recovery", "basket_email", "email", "de")

    assert "Navy blazer" in message.text and "Chino trousers × 2" in message.text
    assert "79,90\u00a0€" in message.text
    assert message.html.count("<img") == 1  # only the blazer has an image


def test_the_basket_sms_names_the_first_item_and_counts_the_rest():
    sms = render("basket_recovery", "basket_sms", "sms", "en").sms_text

    assert "Navy blazer and 1 more" in sms


@pytest.mark.parametrize("step", ["welcome", "renewal", "survey_email", "service_reminder"])
def test_car_emails_name_the_make_and_model(step):
    message = render("vehicle_lifecycle", step, "email", "fr" if step == "survey_email" else "de")

    assert "3008" in message.subject
    assert "Peugeot 3008" in message.text and "Peugeot 3008" in message.html


def test_a_service_reminder_gives_the_due_date_in_german():
    message = render("vehicle_lifecycle", "service_reminder", "email", "de-DE")

    assert "1. Dezember 2026" in message.text
    sms = render("vehicle_lifecycle", "service_reminder", "sms", "de-DE").sms_text
    assert "01.12.2026" in sms


def test_an_overdue_service_says_it_was_due():
    message = render("vehicle_lifecycle", "service_reminder", "email", "en", overdue_days=5)

    assert "was due on December 1, 2026" in message.text


def test_the_service_reminder_is_not_marketing_so_its_sms_carries_no_opt_out_words():
    sms = render("vehicle_lifecycle", "service_reminder", "sms", "en").sms_text
    survey = render("vehicle_lifecycle", "survey_sms", "sms", "en").sms_text

    assert "STOP" not in sms and "STOP" in survey


SURVEY_EMAIL = BUILT_IN_JOURNEYS / "templates" / "vehicle_lifecycle" / "survey_email"


def test_the_survey_email_speaks_every_language_the_survey_sms_does():
    sms = BUILT_IN_JOURNEYS / "templates" / "vehicle_lifecycle" / "survey_sms"

    assert sorted(p.name for p in SURVEY_EMAIL.iterdir()) == sorted(p.name for p in sms.iterdir())


@pytest.mark.parametrize("locale", sorted(p.name for p in SURVEY_EMAIL.iterdir()))
def test_the_survey_email_offers_0_to_10_as_eleven_answer_links_in_both_parts(locale):
    message = render("vehicle_lifecycle", "survey_email", "email", locale)

    hrefs = re.findall(r'<a href="([^"]+)"[^>]*>\s*(\d+)\s*</a>', message.html)
    assert hrefs == [(survey_marker(n), str(n)) for n in range(11)]
    text_lines = [line for line in message.text.splitlines() if SURVEY_MARKER.search(line)]
    assert text_lines == [f"{n}: {survey_marker(n)}" for n in range(11)]
    assert "0" in message.text and "10" in message.text and "Peugeot 3008" in message.text


def test_the_survey_sms_asks_for_a_reply_from_0_to_10():
    sms = render("vehicle_lifecycle", "survey_sms", "sms", "fr").sms_text

    assert "0" in sms and "10" in sms and "Peugeot 3008" in sms


@pytest.mark.parametrize(
    ("variant", "offer"), [("ten_percent", "10\u00a0% off"), ("ten_euros", "€10.00 off")]
)
def test_each_variant_of_the_first_order_voucher_offers_its_own_voucher(variant, offer):
    message = render("welcome_series", "first_order_voucher", "email", "en", variant)

    assert offer in message.subject.replace("10%", "10\u00a0%")
    assert "K7PX-3MQA-9WTR" in message.text
