"""Template locations and the locale fallback chain: fr-BE → fr → the campaign default → en."""

from __future__ import annotations

import pytest

from models.campaign_templates import locale_chain, parts_for, resolve_template
from tests.models.campaign_files import write_templates


@pytest.mark.parametrize(
    ("locale", "default", "chain"),
    [
        ("fr-BE", "en", ["fr-BE", "fr", "en"]),
        ("nl", "en", ["nl", "en"]),
        ("de-CH", "de", ["de-CH", "de", "en"]),
        ("it", "fr", ["it", "fr", "en"]),
        ("fr_be", "en", ["fr-BE", "fr", "en"]),
        ("EN-us", "en", ["en-US", "en"]),
        ("zh-Hant-TW", "en", ["zh-Hant-TW", "zh-Hant", "zh", "en"]),
        ("", "de", ["de", "en"]),
        (None, "en", ["en"]),
    ],
)
def test_the_locale_chain_goes_from_specific_to_the_default_then_english(locale, default, chain):
    assert locale_chain(locale, default) == chain


def test_a_best_campaign_needs_the_templates_of_both_channels():
    assert parts_for("best") == ("subject.txt", "email.html", "email.txt", "sms.txt")


@pytest.fixture
def campaigns_dir(tmp_path):
    write_templates(tmp_path, "hello", "en", {"subject.txt": "Hi", "sms.txt": "Hi"})
    write_templates(tmp_path, "hello", "fr", {"subject.txt": "Salut", "sms.txt": "Salut"})
    write_templates(tmp_path, "hello", "fr-BE", {"sms.txt": "Salut, une fois"})
    return tmp_path


def test_a_belgian_recipient_gets_the_belgian_file_where_there_is_one(campaigns_dir):
    resolved = resolve_template(campaigns_dir, "hello", "en", "fr-BE", "sms.txt")

    assert resolved.locale == "fr-BE"
    assert resolved.name == "hello/fr-BE/sms.txt"


def test_a_belgian_recipient_falls_back_to_french_file_by_file(campaigns_dir):
    resolved = resolve_template(campaigns_dir, "hello", "en", "fr-BE", "subject.txt")

    assert resolved.locale == "fr"
    assert resolved.path == campaigns_dir / "templates" / "hello" / "fr" / "subject.txt"


def test_a_dutch_recipient_falls_back_to_english(campaigns_dir):
    assert resolve_template(campaigns_dir, "hello", "en", "nl", "sms.txt").locale == "en"


def test_a_template_found_nowhere_names_every_place_looked_at(campaigns_dir):
    with pytest.raises(FileNotFoundError) as raised:
        resolve_template(campaigns_dir, "hello", "en", "fr-BE", "email.html")

    assert "fr-BE/email.html" in str(raised.value) and "en/email.html" in str(raised.value)
