"""Text rules every message obeys whatever its template says (docs/architecture.md, Sending
invariants: templates are untrusted, good-citizen email and SMS)."""

from __future__ import annotations

import re

from models.campaign_templates import normalize_locale

# What a marketing SMS ends with, by the recipient's language; STOP is what the inbound handler
# understands in every language.
OPT_OUT_WORDS = {
    "en": "STOP to opt out",
    "fr": "STOP pour vous désabonner",
    "de": "STOP zum Abbestellen",
    "nl": "STOP om je af te melden",
    "es": "STOP para darte de baja",
    "it": "STOP per disiscriverti",
    "pt": "STOP para cancelar",
}

# C0 and C1 controls, and the Unicode line and paragraph separators: none belongs in a header.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+")


def one_line(text: str) -> str:
    """Control characters and runs of white space collapsed to one space: CR/LF never reach a
    header, whatever a template or a customer's name holds."""
    if _already_one_line(text):  # most headers: every mail has a dozen
        return text
    return " ".join(_CONTROL.sub(" ", text).split())


def _already_one_line(text: str) -> bool:
    """Printable text holds no control character and no white space but the ASCII space, so it
    comes back unchanged unless it has a double, leading or trailing space."""
    return text.isprintable() and "  " not in text and text[:1] != " " and text[-1:] != " "


def opt_out_words(locale: str) -> str:
    """The opt-out words in the language of `locale` (`fr-BE` → French), else English."""
    language = normalize_locale(locale).split("-")[0]
    return OPT_OUT_WORDS.get(language, OPT_OUT_WORDS["en"])
