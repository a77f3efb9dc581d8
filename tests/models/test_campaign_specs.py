"""Campaign YAML: what loads, and errors that name the file, the field, the value and what was
expected."""

from __future__ import annotations

from datetime import time, timedelta
from decimal import Decimal

import pytest

from models.campaigns import CampaignError, load_campaigns
from tests.models.campaign_files import (
    BUILT_IN_CAMPAIGNS,
    SMS_TEMPLATES,
    campaign_fields,
    documented_models,
    write_campaign,
    write_campaign_yaml,
    write_templates,
)

MODELS = {"trg_welcome", "trg_birthday", "seg_lapsed_customers"}


def load_error(folder) -> str:
    with pytest.raises(CampaignError) as raised:
        load_campaigns(folder, MODELS)
    return str(raised.value)


def test_a_minimal_campaign_loads_with_the_documented_defaults(tmp_path):
    write_campaign(tmp_path)

    [spec] = load_campaigns(tmp_path, MODELS)

    assert spec.name == "welcome_test"
    assert spec.source_model == "trg_welcome"
    assert (spec.send_window.start, spec.send_window.end) == (time(9), time(20))
    assert spec.cooldown == timedelta(0)
    assert spec.expiry is None
    assert spec.voucher is None
    assert spec.holdout == 0
    assert spec.default_locale == "en"
    assert spec.marketing is True


def test_a_full_campaign_reads_durations_vouchers_and_windows(tmp_path):
    write_campaign_yaml(
        tmp_path,
        "welcome_test",
        "name: welcome_test\n"
        "description: Everything set.\n"
        "segment: seg_lapsed_customers\n"
        "channel: email\n"
        "priority: 7\n"
        "send_window: {start: 10:30, end: 19:00}\n"
        "cooldown: 1d12h\n"
        "expiry: 48h\n"
        "voucher: {kind: amount, value: 10.50, currency: EUR, valid_days: 30}\n"
        "holdout: 0.1\n"
        "conversion: {goal: order, window_days: 14}\n"
        "default_locale: fr\n"
        "marketing: false\n",
    )
    write_templates(
        tmp_path, "welcome_test", "fr", {"subject.txt": "", "email.html": "", "email.txt": ""}
    )

    [spec] = load_campaigns(tmp_path, MODELS)

    assert spec.source_model == "seg_lapsed_customers"
    assert (spec.send_window.start, spec.send_window.end) == (time(10, 30), time(19))
    assert (spec.cooldown, spec.expiry) == (timedelta(hours=36), timedelta(hours=48))
    assert spec.voucher.value == Decimal("10.50") and spec.voucher.currency == "EUR"
    assert (spec.holdout, spec.default_locale, spec.marketing) == (0.1, "fr", False)


def test_an_unquoted_clock_time_is_a_time_not_a_base_60_number(tmp_path):
    path = write_campaign(tmp_path)
    path.write_text(path.read_text() + "send_window:\n  start: 9:00\n  end: 20:00\n")

    [spec] = load_campaigns(tmp_path, MODELS)

    assert spec.send_window.end == time(20)


@pytest.mark.parametrize(
    ("overrides", "field", "value_or_expectation"),
    [
        ({"channel": "fax"}, "channel", "'fax'"),
        ({"priority": "high"}, "priority", "'high'"),
        ({"priority": "5"}, "priority", "expected a valid integer"),
        ({"send_window": {"start": "25:00"}}, "send_window.start", "'25:00'"),
        ({"send_window": {"start": "21:00", "end": "09:00"}}, "send_window.end", "after start"),
        ({"cooldown": "30 days"}, "cooldown", "expected a duration such as 30d"),
        ({"expiry": 3}, "expiry", "expected a duration"),
        ({"holdout": 1}, "holdout", "expected less than 1"),
        ({"holdout": -0.1}, "holdout", "expected greater than or equal to 0"),
        (
            {"voucher": {"kind": "amount", "value": 10, "valid_days": 30}},
            "voucher.currency",
            "ISO 4217",
        ),
        (
            {"voucher": {"kind": "percent", "value": 0, "valid_days": 7}},
            "voucher.value",
            "expected greater than 0",
        ),
        (
            {"voucher": {"kind": "percent", "value": 150, "valid_days": 7}},
            "voucher.value",
            "between 0 and 100",
        ),
        (
            {"voucher": {"kind": "gift", "value": 5, "valid_days": 7}},
            "voucher.kind",
            "'gift'",
        ),
        ({"conversion": {"goal": "signup", "window_days": 7}}, "conversion.goal", "'signup'"),
        ({"conversion": None}, "conversion", "missing"),
        ({"default_locale": "French"}, "default_locale", "locale tag"),
        ({"trigger": "birthday"}, "trigger", "trg_<name>"),
        ({"trigger": "seg_lapsed_customers"}, "trigger", "trg_<name>"),
        ({"segment": "seg_lapsed_customers"}, "segment", "exactly one of trigger"),
        ({"trigger": None}, "segment", "exactly one of trigger"),
        ({"marketing": "maybe"}, "marketing", "'maybe'"),
        ({"cooldwn": "3d"}, "cooldwn", "did you mean 'cooldown'"),
        ({"send_window": {"begin": "09:00"}}, "send_window.begin", "unknown field"),
    ],
)
def test_an_invalid_field_names_the_file_the_field_and_the_value_or_expectation(
    tmp_path, overrides, field, value_or_expectation
):
    path = write_campaign(tmp_path, **overrides)

    message = load_error(tmp_path)

    assert f"{path}: {field}: " in message
    assert value_or_expectation in message


def test_a_name_other_than_the_file_stem_is_an_error(tmp_path):
    path = write_campaign_yaml(
        tmp_path,
        "welcome_test",
        "\n".join(f"{k}: {v}" for k, v in campaign_fields("other").items()),
    )

    message = load_error(tmp_path)

    assert f"{path}: name: got 'other'; expected 'welcome_test', the name of the file" in message


def test_invalid_yaml_names_the_file_and_the_line(tmp_path):
    path = write_campaign_yaml(
        tmp_path, "broken", "name: broken\ndescription: [unclosed\nchannel: email\n"
    )

    message = load_error(tmp_path)

    assert message.startswith(f"{path}: line 3")
    assert "invalid YAML" in message


def test_a_file_that_is_not_a_mapping_is_rejected(tmp_path):
    path = write_campaign_yaml(tmp_path, "listed", "- name: listed\n")

    assert f"{path}: expected a mapping of campaign fields, got list" in load_error(tmp_path)


def test_a_trigger_the_dbt_project_lacks_is_named_with_the_models_it_has(tmp_path):
    path = write_campaign(tmp_path, trigger="trg_welcom")

    message = load_error(tmp_path)

    assert f"{path}: trigger: got 'trg_welcom'; expected a model the dbt project defines" in message
    assert "trg_birthday, trg_welcome" in message


def test_a_missing_template_of_the_default_locale_is_named(tmp_path):
    path = write_campaign(tmp_path, templates={"subject.txt": "Hi", "email.html": "<p>Hi</p>"})

    message = load_error(tmp_path)

    missing = tmp_path / "templates" / "welcome_test" / "en" / "email.txt"
    assert f"{path}: default_locale: 'en' lacks {missing}" in message


def test_a_best_campaign_needs_both_email_and_sms_templates(tmp_path):
    write_campaign(tmp_path, channel="best")

    message = load_error(tmp_path)

    assert "sms.txt" in message and "channel best" in message


def test_a_locale_other_than_the_default_may_hold_only_some_templates(tmp_path):
    write_campaign(tmp_path)
    write_templates(tmp_path, "welcome_test", "fr-BE", {"subject.txt": "Bonjour"})

    [spec] = load_campaigns(tmp_path, MODELS)

    assert spec.name == "welcome_test"


def test_a_misspelt_template_file_is_rejected_rather_than_ignored(tmp_path):
    path = write_campaign(tmp_path)
    write_templates(tmp_path, "welcome_test", "fr", {"emial.html": "<p>Bonjour</p>"})

    message = load_error(tmp_path)

    assert f"{path}: templates: " in message and "emial.html" in message


def test_a_template_folder_that_is_not_a_locale_is_rejected(tmp_path):
    write_campaign(tmp_path)
    write_templates(tmp_path, "welcome_test", "french", SMS_TEMPLATES)

    assert "expected a locale folder such as fr-BE" in load_error(tmp_path)


def test_every_problem_of_every_file_is_reported_at_once(tmp_path):
    write_campaign(tmp_path, name="first", channel="fax")
    write_campaign(tmp_path, name="second", priority="high")

    message = load_error(tmp_path)

    assert "first.yml: channel" in message and "second.yml: priority" in message


def test_a_yaml_extension_is_pointed_out_rather_than_skipped(tmp_path):
    write_campaign(tmp_path)
    (tmp_path / "other.yaml").write_text("name: other\n")

    assert "other.yaml: expected the extension .yml" in load_error(tmp_path)


def test_campaigns_come_back_sorted_by_name(tmp_path):
    for name in ("zeta", "alpha", "mid"):
        write_campaign(tmp_path, name=name)

    specs = load_campaigns(tmp_path, MODELS)

    assert [spec.name for spec in specs] == ["alpha", "mid", "zeta"]


def test_a_missing_campaigns_folder_is_an_error(tmp_path):
    with pytest.raises(CampaignError, match="campaigns folder not found"):
        load_campaigns(tmp_path / "nowhere", MODELS)


def test_the_built_in_campaigns_load_against_the_documented_models():
    """Five more are journey steps now (tests/assets/test_journey_rendering.py)."""
    specs = load_campaigns(BUILT_IN_CAMPAIGNS, documented_models())

    assert [spec.name for spec in specs] == [
        "birthday",
        "instore_cross_sell",
        "product_interest",
        "winback",
    ]


def test_built_in_priorities_put_product_interest_first_and_winback_last():
    specs = load_campaigns(BUILT_IN_CAMPAIGNS, documented_models())

    by_priority = [spec.name for spec in sorted(specs, key=lambda s: -s.priority)]

    assert by_priority[0] == "product_interest" and by_priority[-1] == "winback"
    assert by_priority.index("product_interest") < by_priority.index("instore_cross_sell")
    assert by_priority.index("instore_cross_sell") < by_priority.index("birthday")


def test_built_in_vouchers_match_the_scenarios():
    specs = {spec.name: spec for spec in load_campaigns(BUILT_IN_CAMPAIGNS, documented_models())}

    interest, cross_sell = specs["product_interest"], specs["instore_cross_sell"]

    assert (interest.voucher.kind, interest.voucher.value, interest.voucher.valid_days) == (
        "percent",
        30,
        7,
    )
    assert interest.cooldown == timedelta(days=30)
    assert (cross_sell.voucher.kind, cross_sell.voucher.value) == ("amount", 10)
    assert (cross_sell.voucher.currency, cross_sell.voucher.valid_days) == ("EUR", 30)
