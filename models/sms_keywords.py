"""What an inbound SMS asks for: opt out, opt back in, help, a survey score, or nothing we act on.

Carriers expect the CTIA keywords (STOP, STOPALL, UNSUBSCRIBE, CANCEL, END, QUIT, REVOKE,
OPT OUT; START, UNSTOP; HELP) in every language, so they are understood whatever the
recipient's language, beside the local words (ARRÊT, ABMELDEN, AFMELDEN, BAJA, ANNULLA, …).
Case, accents and punctuation are ignored. A plain request counts too ("please stop", "Stop
texting me!", "je veux me désabonner"), but only when every other word is a courtesy or says
what to stop: "stop by the store" is a reply, not an opt-out. Erring that way is deliberate —
a reply nobody acts on costs less than an opt-out the customer never asked for, and an unclear
text is still recorded (``replied``) for a person to read.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Literal

Intent = Literal["opt_out", "opt_in", "help", "score", "other"]

# keyword (words after normalising) → the language it gives away (None: used everywhere)
_OPT_OUT: dict[tuple[str, ...], str | None] = {
    **dict.fromkeys(
        [
            ("stop",),
            ("stopall",),
            ("stop", "all"),
            ("unsubscribe",),
            ("cancel",),
            ("end",),
            ("quit",),
            ("revoke",),
            ("optout",),
            ("opt", "out"),
            ("unsub",),
            ("remove", "me"),
        ],
        None,
    ),
    **dict.fromkeys(
        [
            ("arret",),
            ("arreter",),
            ("arretez",),
            ("desabonner",),
            ("se", "desabonner"),
            ("me", "desabonner"),
            ("desabonnement",),
            ("desinscrire",),
            ("me", "desinscrire"),
            ("desinscription",),
        ],
        "fr",
    ),
    **dict.fromkeys(
        [("stopp",), ("abmelden",), ("abbestellen",), ("austragen",), ("kundigen",)], "de"
    ),
    **dict.fromkeys([("afmelden",), ("uitschrijven",), ("opzeggen",)], "nl"),
    **dict.fromkeys(
        [
            ("baja",),
            ("de", "baja"),
            ("darme", "de", "baja"),
            ("dar", "de", "baja"),
            ("parar",),
            ("cancelar",),
            ("alto",),
            ("desuscribir",),
            ("desuscribirme",),
        ],
        "es",
    ),
    **dict.fromkeys(
        [
            ("annulla",),
            ("basta",),
            ("disiscrivi",),
            ("disiscrivimi",),
            ("disiscrivere",),
            ("cancellami",),
            ("cancella", "iscrizione"),
        ],
        "it",
    ),
}
_OPT_IN: dict[tuple[str, ...], str | None] = {
    ("start",): None,
    ("unstop",): None,
    ("optin",): None,
    ("opt", "in"): None,
    ("anmelden",): "de",
    ("aanmelden",): "nl",
    ("alta",): "es",
}
_HELP: dict[tuple[str, ...], str | None] = {
    ("help",): None,
    ("info",): None,
    ("aide",): "fr",
    ("hilfe",): "de",
    ("hulp",): "nl",
    ("ayuda",): "es",
    ("aiuto",): "it",
}


def _word_set(words: str) -> frozenset[str]:
    return frozenset(words.split())


# Words a plain request may wrap the keyword in, in the six languages of the campaigns.
_COURTESIES = _word_set(
    "please pls plz thanks thank you thx now ok okay hi hello "
    "merci svp stp s il vous plait bonjour "
    "bitte danke hallo "
    "alsjeblieft aub dank je wel "
    "por favor gracias hola "
    "per favore grazie ciao"
)
_LEADS = _word_set(
    "i want to would like d je veux voudrais ich will mochte mochten ik wil "
    "quiero quisiera voglio vorrei"
)
_OBJECTS = _word_set(
    "me this these it all messages message texts text texting sending send sms msgs "
    "from list us moi les messages envoi mich nachrichten alle mij berichten mi mensajes "
    "todos messaggi tutti"
)

_SCORE = re.compile(r"^\s*(10|[0-9])\s*(?:/\s*10\s*)?[.!]*\s*$")
_NOT_WORD = re.compile(r"[^\w/]+")


@dataclass(frozen=True)
class Classified:
    intent: Intent
    language: str | None = None  # the keyword's own language, when it has one
    score: int | None = None


def classify(text: str) -> Classified:
    """The intent of ``text``; a bare number 0–10 is a ``score`` whatever was sent before
    (whether it answers a survey is for the caller to decide)."""
    score = _SCORE.match(text)
    if score:
        return Classified("score", score=int(score.group(1)))
    words = normalised_words(text)
    for intent, keywords in (("opt_out", _OPT_OUT), ("opt_in", _OPT_IN), ("help", _HELP)):
        found = _request_for(words, keywords)
        if found is not None:
            return Classified(intent, language=keywords[found])
    return Classified("other")


def normalised_words(text: str) -> list[str]:
    """Casefolded, accents and punctuation dropped: ``"ARRÊT !"`` → ``["arret"]``."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return [word for word in _NOT_WORD.sub(" ", bare.replace("/", " ")).split() if word]


def _request_for(
    words: list[str], keywords: dict[tuple[str, ...], str | None]
) -> tuple[str, ...] | None:
    """The keyword ``words`` ask for: the keyword alone, or wrapped in courtesies, a lead
    ("I want to") and what to stop ("texting me") — nothing else."""
    content = [word for word in words if word not in _COURTESIES]
    start = 0
    while start < len(content) and content[start] in _LEADS:
        start += 1
    rest = content[start:]
    for keyword in sorted(keywords, key=len, reverse=True):
        if tuple(rest[: len(keyword)]) == keyword and all(
            word in _OBJECTS for word in rest[len(keyword) :]
        ):
            return keyword
    return None
