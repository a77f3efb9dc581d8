"""Small crafted campaign folders for the campaign and rendering tests."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
BUILT_IN_CAMPAIGNS = ROOT / "campaigns"

EMAIL_TEMPLATES = {
    "subject.txt": "Hello {{ customer.first_name }}",
    "email.html": "<p>Hello {{ customer.first_name }}</p>",
    "email.txt": "Hello {{ customer.first_name }}",
}
SMS_TEMPLATES = {"sms.txt": "Hello {{ customer.first_name }}"}


def documented_models() -> set[str]:
    """The trigger and segment models docs/triggers.md promises."""
    return set(re.findall(r"`((?:trg|seg)_[a-z_]+)`", (ROOT / "docs" / "triggers.md").read_text()))


def campaign_fields(name: str = "welcome_test", **overrides) -> dict:
    """A valid campaign; a value None in `overrides` removes that field."""
    fields = {
        "name": name,
        "description": "A crafted campaign.",
        "trigger": "trg_welcome",
        "channel": "email",
        "priority": 10,
        "conversion": {"goal": "order", "window_days": 7},
        **overrides,
    }
    return {key: value for key, value in fields.items() if value is not None}


def write_campaign_yaml(folder: Path, name: str, text: str) -> Path:
    path = folder / f"{name}.yml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def write_templates(folder: Path, campaign: str, locale: str, templates: dict[str, str]) -> None:
    locale_folder = folder / "templates" / campaign / locale
    locale_folder.mkdir(parents=True, exist_ok=True)
    for part, text in templates.items():
        (locale_folder / part).write_text(text, encoding="utf-8")


def write_campaign(
    folder: Path, templates: dict[str, str] | None = None, locale: str = "en", **fields
) -> Path:
    """A campaign file and its default-locale templates (email ones unless given)."""
    data = campaign_fields(**fields)
    path = write_campaign_yaml(folder, data.get("name", "welcome_test"), yaml.safe_dump(data))
    write_templates(folder, data.get("name", "welcome_test"), locale, templates or EMAIL_TEMPLATES)
    return path
