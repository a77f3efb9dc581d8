"""Where a campaign's templates live, and which locale's file serves a recipient.

Templates are `campaigns/templates/<campaign>/<locale>/<part>`. A recipient's locale falls back
file by file: `fr-BE` → `fr` → the campaign's default locale → `en`, so a market can override
only its subject line and share the rest of its language's templates.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

TEMPLATES_FOLDER = "templates"
SUBJECT = "subject.txt"
EMAIL_HTML = "email.html"
EMAIL_TEXT = "email.txt"
SMS_TEXT = "sms.txt"
TEMPLATE_PARTS = (SUBJECT, EMAIL_HTML, EMAIL_TEXT, SMS_TEXT)
CHANNEL_PARTS = {"email": (SUBJECT, EMAIL_HTML, EMAIL_TEXT), "sms": (SMS_TEXT,)}
LAST_RESORT_LOCALE = "en"

# language, optional script, optional region (country or UN M.49 area): en, fr-BE, zh-Hant-TW
_LOCALE_TAG = re.compile(r"^[a-z]{2,3}(?:-[A-Z][a-z]{3})?(?:-(?:[A-Z]{2}|\d{3}))?$")


@dataclass(frozen=True)
class TemplateFile:
    """One resolved template: the locale folder that served it and where it is."""

    locale: str
    name: str  # relative to the templates folder, with `/`: `birthday/fr/email.html`
    path: Path


def parts_for(channel: str) -> tuple[str, ...]:
    """The template files a channel needs; `best` may go either way, so it needs both."""
    if channel == "best":
        return CHANNEL_PARTS["email"] + CHANNEL_PARTS["sms"]
    return CHANNEL_PARTS[channel]


def normalize_locale(tag: str) -> str:
    """A BCP 47 tag in its usual spelling: `fr_be` → `fr-BE`, `ZH-hant-tw` → `zh-Hant-TW`."""
    subtags = [subtag for subtag in re.split(r"[-_]", tag.strip()) if subtag]
    if not subtags:
        return ""
    spelled = [subtags[0].lower()]
    for subtag in subtags[1:]:
        if len(subtag) == 4 and subtag.isalpha():
            spelled.append(subtag.title())
        elif len(subtag) == 2 and subtag.isalpha():
            spelled.append(subtag.upper())
        else:
            spelled.append(subtag)
    return "-".join(spelled)


def is_locale_tag(text: str) -> bool:
    return bool(_LOCALE_TAG.match(text))


def locale_chain(locale: str | None, default_locale: str) -> list[str]:
    """Locales to try in order: the recipient's, ever less specific, then the campaign's default,
    then `en`. `fr-BE` with default `en` → `["fr-BE", "fr", "en"]`."""
    subtags = normalize_locale(locale or "").split("-")
    specific_first = ["-".join(subtags[:n]) for n in range(len(subtags), 0, -1) if subtags[0]]
    return list(dict.fromkeys([*specific_first, default_locale, LAST_RESORT_LOCALE]))


def campaign_templates_folder(campaigns_dir: Path, campaign: str) -> Path:
    return campaigns_dir / TEMPLATES_FOLDER / campaign


def resolve_template(
    campaigns_dir: Path, campaign: str, default_locale: str, locale: str | None, part: str
) -> TemplateFile:
    """The file serving `part` of `campaign` to a recipient in `locale`, per the fallback chain.

    Raises FileNotFoundError naming every place looked at; a campaign that passed
    `load_campaigns` always has its default locale's files, so that means a file was removed.
    """
    folder = campaign_templates_folder(campaigns_dir, campaign)
    chain = locale_chain(locale, default_locale)
    for candidate in chain:
        path = folder / candidate / part
        if path.is_file():
            return TemplateFile(locale=candidate, name=f"{campaign}/{candidate}/{part}", path=path)
    looked_at = ", ".join(str(folder / candidate / part) for candidate in chain)
    raise FileNotFoundError(f"no template {part} for campaign {campaign!r}; looked at {looked_at}")


def template_folder_problems(folder: Path, default_locale: str, channel: str) -> list[str]:
    """What is wrong with one templates folder: the default locale lacks a part `channel` needs, a
    folder that is not a locale, a file that is not a template part (a misspelt file would
    otherwise be ignored in silence)."""
    parts = parts_for(channel)
    problems = [
        f"default_locale: {default_locale!r} lacks {folder / default_locale / part}; "
        f"expected every template of channel {channel}: {', '.join(parts)}"
        for part in parts
        if not (folder / default_locale / part).is_file()
    ]
    for locale_dir in sorted(folder.iterdir()) if folder.is_dir() else []:
        if not (locale_dir.is_dir() and is_locale_tag(locale_dir.name)):
            problems.append(f"templates: {locale_dir}: expected a locale folder such as fr-BE")
            continue
        problems += [
            f"templates: {file}: expected only {', '.join(TEMPLATE_PARTS)}"
            for file in sorted(locale_dir.iterdir())
            if file.name not in TEMPLATE_PARTS and not file.name.startswith(".")
        ]
    return problems
