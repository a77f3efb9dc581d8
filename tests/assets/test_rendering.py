"""The renderer: every built-in template in every locale, untrusted templates and names kept
harmless, Babel formats in the recipient's locale, one-line subjects and SMS opt-out words."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from assets.rendering import RenderError, TemplateRenderer, check_templates, render_message
from models.campaigns import CampaignError, load_campaigns
from senders.sms_composition import DEFAULT_MAX_SEGMENTS, over_segment_limit
from tests.models.campaign_files import (
    BUILT_IN_CAMPAIGNS,
    EMAIL_TEMPLATES,
    SMS_TEMPLATES,
    documented_models,
    write_campaign,
    write_templates,
)

MODELS = {"trg_welcome"}
VOUCHER_EXPIRY = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
BLAZER = {
    "product_id": "P2",
    "name": "Navy blazer",
    "color": "navy",
    "price": 189.0,
    "currency": "EUR",
    "url": "https://shop.example.com/p2",
    "image_url": "https://shop.example.com/p2.jpg",
}

# What each trigger's `context` holds (docs/triggers.md), as psycopg reads it from jsonb.
EVENTS = {
    "birthday": {"age": 36, "birthday": "2026-11-23"},
    "product_interest": {"product": BLAZER, "views": 4},
    "instore_cross_sell": {
        "purchased": {"product_id": "P1", "name": "Chino trousers", "color": "navy"},
        "match": BLAZER,
        "store_id": "S1",
        "transaction_id": "T1",
    },
    "winback": {"orders_count": 3, "last_order_at": "2026-07-01T15:00:00Z"},
}


def built_in_specs() -> dict:
    specs = load_campaigns(BUILT_IN_CAMPAIGNS, documented_models())
    return {spec.name: spec for spec in specs}


def variables(campaign: str, locale: str = "en", first_name: str = "Anna", **event) -> dict:
    spec = built_in_specs()[campaign]
    voucher = None
    if spec.voucher:
        voucher = {
            "code": "K7PX-3MQA-9WTR",
            "kind": spec.voucher.kind,
            "value": spec.voucher.value,
            "currency": spec.voucher.currency,
            "expires_at": VOUCHER_EXPIRY,
        }
    return {
        "customer": {
            "customer_id": "C1",
            "first_name": first_name,
            "last_name": "Martin",
            "locale": locale,
            "language": locale.split("-")[0],
            "country": "FR",
            "age": 35,
        },
        "event": {**EVENTS[campaign], **event},
        "voucher": voucher,
        "campaign": campaign,
    }


def built_in_cases() -> list[tuple[str, str, str]]:
    cases = []
    for spec in built_in_specs().values():
        channels = ["email", "sms"] if spec.channel == "best" else [spec.channel]
        locales = sorted(p.name for p in (BUILT_IN_CAMPAIGNS / "templates" / spec.name).iterdir())
        cases += [(spec.name, channel, locale) for channel in channels for locale in locales]
    return cases


def render_built_in(campaign: str, channel: str, locale: str, **kwargs):
    renderer = TemplateRenderer(BUILT_IN_CAMPAIGNS, built_in_specs())
    return renderer.render(campaign, channel, locale, variables(campaign, locale, **kwargs))


@pytest.mark.parametrize(("campaign", "channel", "locale"), built_in_cases())
def test_every_built_in_template_renders_in_every_locale_it_has(campaign, channel, locale):
    message = render_built_in(campaign, channel, locale)

    assert message.locale == locale
    if channel == "email":
        assert message.subject and message.text and "<html" in message.html
        assert message.sms_text is None
    else:
        assert message.sms_text and (message.subject, message.text, message.html) == (None,) * 3


SMS_CASES = [case for case in built_in_cases() if case[1] == "sms"]


@pytest.mark.parametrize(("campaign", "channel", "locale"), SMS_CASES)
def test_every_built_in_sms_fits_the_default_cap_for_long_names_outside_gsm7(
    campaign, channel, locale
):
    """A long name and a make outside GSM-7 (UCS-2: 67 units a segment) still fit 3 segments."""
    long_car = {"make": "Citroën", "model": "C5 Aircross Hybrid", "product_name": "Urban jacket"}
    event = {key: value for key, value in long_car.items() if key in EVENTS[campaign]}

    message = render_built_in(campaign, channel, locale, first_name="Marie-Christine", **event)

    assert over_segment_limit(message.sms_text, DEFAULT_MAX_SEGMENTS) is None


def test_every_built_in_template_compiles():
    for spec in built_in_specs().values():
        check_templates(spec, BUILT_IN_CAMPAIGNS)


def test_a_product_interest_sms_names_the_product_the_discount_the_code_and_its_expiry():
    sms = render_built_in("product_interest", "sms", "en").sms_text

    assert "Navy blazer" in sms and "30%" in sms and "K7PX-3MQA-9WTR" in sms
    assert "Nov 30, 2026" in sms


def test_the_cross_sell_email_shows_the_matching_item_and_the_ten_euro_voucher_in_french():
    message = render_built_in("instore_cross_sell", "email", "fr-FR")

    for body in (message.html, message.text):
        assert "Navy blazer" in body and "189,00\u00a0€" in body
        assert "https://shop.example.com/p2" in body
        assert "K7PX-3MQA-9WTR" in body and "30 novembre 2026" in body
        assert "10,00\u00a0€" in body
    assert 'src="https://shop.example.com/p2.jpg"' in message.html


def test_a_birthday_names_the_age_they_turn():
    assert "36" in render_built_in("birthday", "sms", "en-US").sms_text
    assert "36 ans" in render_built_in("birthday", "email", "fr").text


@pytest.mark.parametrize(
    ("locale", "opt_out"),
    [
        ("en-GB", "STOP to opt out"),
        ("fr-BE", "STOP pour vous désabonner"),
        ("de-CH", "STOP zum Abbestellen"),
        ("nl-BE", "STOP om je af te melden"),
        ("es", "STOP para darte de baja"),
        ("it", "STOP per disiscriverti"),
    ],
)
def test_a_marketing_sms_ends_with_the_opt_out_words_of_the_recipients_language(locale, opt_out):
    sms = render_built_in("product_interest", "sms", locale).sms_text

    assert sms.endswith(f"\n{opt_out}")


@pytest.mark.parametrize(
    "name", ["{{ 7*7 }}", "{% raw %}x{% endraw %}", "<script>alert(1)</script>"]
)
def test_a_name_that_looks_like_code_is_printed_as_text(name):
    email = render_built_in("birthday", "email", "en", first_name=name)
    sms = render_built_in("birthday", "sms", "en", first_name=name).sms_text

    assert name in email.text and name in sms and name in email.subject
    assert "49" not in email.text
    if "<" in name:
        assert (
            "<script>" not in email.html and "&lt;script&gt;alert(1)&lt;/script&gt;" in email.html
        )


def test_a_subject_with_line_breaks_becomes_one_line():
    subject = render_built_in("birthday", "email", "en", first_name="Ann\r\nBcc: x@evil.example")
    assert subject.subject == "Happy birthday, Ann Bcc: x@evil.example!"


def test_dates_money_and_percentages_follow_the_recipients_locale(tmp_path):
    template = (
        "{{ when | date }} / {{ when | date('medium') }} / {{ 10 | money('EUR') }} / "
        "{{ 30 | percent }}"
    )
    spec = crafted(tmp_path, template, locales=("fr", "de"))

    french = render_message(spec, tmp_path, "fr-FR", {"when": "2026-11-30"}).sms_text
    german = render_message(spec, tmp_path, "de-DE", {"when": "2026-11-30"}).sms_text

    assert french.startswith("30 novembre 2026 / 30 nov. 2026 / 10,00\u00a0€ / 30\u00a0%")
    assert german.startswith("30. November 2026 / 30.11.2026 / 10,00\u00a0€ / 30\u00a0%")


def test_an_english_fallback_formats_in_english_rather_than_the_recipients_language(tmp_path):
    spec = crafted(tmp_path, "{{ 10 | money('EUR') }} until {{ when | date }}")

    message = render_message(spec, tmp_path, "nl-BE", {"when": "2026-11-30"})

    assert message.locale == "en"
    assert message.sms_text.startswith("€10.00 until November 30, 2026")
    assert message.sms_text.endswith("STOP om je af te melden")


@pytest.mark.parametrize(
    "template",
    [
        "{{ customer.__class__.__mro__ }}",
        "{{ ''.__class__ }}",
        "{{ customer.__class__.__mro__[1].__subclasses__() }}",
        "{{ cycler.__init__.__globals__ }}",
    ],
)
def test_a_template_reaching_python_internals_fails_with_a_message_for_people(tmp_path, template):
    spec = crafted(tmp_path, "Hi\n" + template)

    with pytest.raises(RenderError) as raised:
        render_message(spec, tmp_path, "fr-BE", {"customer": {"first_name": "Ann"}})

    message = str(raised.value)
    path = tmp_path / "templates" / "welcome_test" / "en" / "sms.txt"
    assert message.startswith(f"campaign 'welcome_test', locale 'fr-BE': {path}, line 2: unsafe")
    assert "Traceback" not in message


def test_an_undefined_variable_fails_naming_it_and_its_line(tmp_path):
    spec = crafted(tmp_path, "Hi {{ customer.first_name }}\n{{ event.agee }}")

    with pytest.raises(RenderError) as raised:
        render_message(spec, tmp_path, "en", {"customer": {"first_name": "Ann"}, "event": {}})

    assert "line 2: undefined variable" in str(raised.value) and "agee" in str(raised.value)


def test_an_unknown_filter_is_caught_when_templates_are_checked(tmp_path):
    spec = crafted(tmp_path, "{{ 10 | monney('EUR') }}")

    with pytest.raises(CampaignError) as raised:
        check_templates(spec, tmp_path)

    path = tmp_path / "templates" / "welcome_test" / "en" / "sms.txt"
    assert f"{path}: line 1: " in str(raised.value) and "monney" in str(raised.value)


def test_a_syntax_error_in_another_locale_is_caught_when_templates_are_checked(tmp_path):
    spec = crafted(tmp_path, "Hi")
    write_templates(tmp_path, "welcome_test", "fr", {"sms.txt": "Salut\n{% if %}"})

    with pytest.raises(CampaignError, match=r"fr/sms.txt: line 2: "):
        check_templates(spec, tmp_path)


def test_an_email_extending_a_missing_layout_is_caught_when_templates_are_checked(tmp_path):
    spec = with_email_html(tmp_path, '{% extends "_layouts/mail.html" %}')

    with pytest.raises(CampaignError) as raised:
        check_templates(spec, tmp_path)

    path = tmp_path / "templates" / "welcome_test" / "en" / "email.html"
    layout = tmp_path / "templates" / "_layouts" / "mail.html"
    assert f"{path}: line 1: '_layouts/mail.html' not found; expected the file {layout}" in str(
        raised.value
    )


def test_a_syntax_error_in_a_layout_is_caught_naming_the_layout(tmp_path):
    write_layout(tmp_path, "<html>\n{% block content %}\n</html>")
    spec = with_email_html(tmp_path, '{% extends "_layouts/email.html" %}')

    with pytest.raises(CampaignError, match=r"_layouts/email.html: line 3: "):
        check_templates(spec, tmp_path)


def test_a_locale_email_fills_its_layout_blocks_with_its_words(tmp_path):
    layout = '<html lang="{% block lang %}{% endblock %}">{% block content %}{% endblock %}</html>'
    write_layout(tmp_path, layout)
    spec = with_email_html(
        tmp_path,
        '{% extends "_layouts/email.html" %}{% block lang %}en{% endblock %}'
        "{% block content %}<p>Hi {{ customer.first_name }}</p>{% endblock %}",
    )

    html = render_message(spec, tmp_path, "en", {"customer": {"first_name": "<Ann>"}}).html

    assert html == '<html lang="en"><p>Hi &lt;Ann&gt;</p></html>'


def test_a_filter_given_a_bad_value_fails_as_a_render_error(tmp_path):
    spec = crafted(tmp_path, "{{ 'lots' | money('EUR') }}")

    with pytest.raises(RenderError, match="expected a number, got 'lots'"):
        render_message(spec, tmp_path, "en", {})


def test_a_survey_link_marks_where_the_answer_goes_and_refuses_a_score_off_the_scale(tmp_path):
    spec = crafted(tmp_path, "{{ survey_link(9) }}")
    off_scale = crafted(tmp_path / "off", "{{ survey_link(11) }}")

    assert render_message(spec, tmp_path, "en", {}).sms_text.startswith("touchpoint-survey:9")
    with pytest.raises(RenderError, match="a survey score is a whole number from 0 to 10"):
        render_message(off_scale, tmp_path / "off", "en", {})


def test_a_subject_that_renders_empty_is_an_error(tmp_path):
    write_campaign(
        tmp_path, templates={"subject.txt": "{{ '' }}", "email.html": "x", "email.txt": "x"}
    )
    [spec] = load_campaigns(tmp_path, MODELS)

    with pytest.raises(RenderError, match="subject.txt: rendered empty"):
        render_message(spec, tmp_path, "en", {})


def test_a_best_campaign_renders_the_channel_it_was_resolved_to():
    spec = built_in_specs()["birthday"]

    sms = render_message(spec, BUILT_IN_CAMPAIGNS, "en", variables("birthday"), channel="sms")

    assert sms.sms_text and sms.subject is None
    with pytest.raises(RenderError, match="for a best campaign, the resolved one"):
        render_message(spec, BUILT_IN_CAMPAIGNS, "en", variables("birthday"))


def test_an_email_campaign_is_not_rendered_as_sms():
    renderer = TemplateRenderer(BUILT_IN_CAMPAIGNS, built_in_specs())

    with pytest.raises(RenderError, match="sends by email, not by 'sms'"):
        renderer.render("instore_cross_sell", "sms", "en", variables("instore_cross_sell"))


def crafted(folder: Path, sms_template: str, locales: tuple[str, ...] = ("en",)):
    """An SMS campaign whose every locale folder holds `sms_template`."""
    write_campaign(folder, templates=SMS_TEMPLATES, channel="sms")
    for locale in locales:
        write_templates(folder, "welcome_test", locale, {"sms.txt": sms_template})
    [spec] = load_campaigns(folder, MODELS)
    return spec


def with_email_html(folder: Path, email_html: str):
    """An email campaign whose English email.html is `email_html`."""
    write_campaign(folder, templates={**EMAIL_TEMPLATES, "email.html": email_html})
    [spec] = load_campaigns(folder, MODELS)
    return spec


def write_layout(folder: Path, text: str) -> None:
    layouts = folder / "templates" / "_layouts"
    layouts.mkdir(parents=True, exist_ok=True)
    (layouts / "email.html").write_text(text, encoding="utf-8")
