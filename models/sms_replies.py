"""The SMS touchpoint answers keywords with, in the recipient's language (English otherwise).

One confirmation per STOP (a STOP while already opted out gets none), one per START, and a help
text naming the sender, a contact and the words "Msg & data rates may apply" (US carriers ask
for that exact sentence; it is kept as is beside each translation). Each reply is sent as a
transactional message (``REPLY_CAMPAIGN``), never counted against a marketing cap.
"""

from __future__ import annotations

from dataclasses import dataclass
from email.utils import parseaddr
from typing import Any, Literal

from models.campaign_templates import normalize_locale
from models.sms_keywords import Classified

REPLY_CAMPAIGN = "sms_keyword_reply"
RATES = "Msg & data rates may apply"

Reply = Literal["opted_out", "opted_in", "help"]

_TEXTS: dict[str, dict[Reply, str]] = {
    "en": {
        "opted_out": "{sender}: you are unsubscribed and will get no more SMS from us. "
        "Reply START to subscribe again.",
        "opted_in": "{sender}: you are subscribed to our SMS again. Reply STOP to opt out.",
        "help": "{sender}: for help, write to {contact}. Reply STOP to opt out. {rates}.",
    },
    "fr": {
        "opted_out": "{sender} : vous êtes désabonné et ne recevrez plus de SMS de notre part. "
        "Répondez START pour vous réabonner.",
        "opted_in": "{sender} : vous êtes de nouveau abonné à nos SMS. "
        "Répondez STOP pour vous désabonner.",
        "help": "{sender} : aide à {contact}. Répondez STOP pour vous désabonner. "
        "Des frais de messagerie peuvent s'appliquer ({rates}).",
    },
    "de": {
        "opted_out": "{sender}: Sie sind abgemeldet und erhalten keine SMS mehr von uns. "
        "Antworten Sie START, um sich wieder anzumelden.",
        "opted_in": "{sender}: Sie erhalten unsere SMS wieder. Antworten Sie STOP zum Abbestellen.",
        "help": "{sender}: Hilfe unter {contact}. Antworten Sie STOP zum Abbestellen. "
        "Es können Gebühren anfallen ({rates}).",
    },
    "nl": {
        "opted_out": "{sender}: je bent afgemeld en krijgt geen sms meer van ons. "
        "Antwoord START om je weer aan te melden.",
        "opted_in": "{sender}: je krijgt onze sms weer. Antwoord STOP om je af te melden.",
        "help": "{sender}: hulp via {contact}. Antwoord STOP om je af te melden. "
        "Er kunnen kosten gelden ({rates}).",
    },
    "es": {
        "opted_out": "{sender}: te has dado de baja y no recibirás más SMS nuestros. "
        "Responde START para volver a suscribirte.",
        "opted_in": "{sender}: vuelves a recibir nuestros SMS. Responde STOP para darte de baja.",
        "help": "{sender}: ayuda en {contact}. Responde STOP para darte de baja. "
        "Pueden aplicarse tarifas ({rates}).",
    },
    "it": {
        "opted_out": "{sender}: la disiscrizione è confermata, non riceverai più SMS da noi. "
        "Rispondi START per iscriverti di nuovo.",
        "opted_in": "{sender}: riceverai di nuovo i nostri SMS. Rispondi STOP per disiscriverti.",
        "help": "{sender}: assistenza a {contact}. Rispondi STOP per disiscriverti. "
        "Potrebbero essere applicati costi ({rates}).",
    },
}


def reply_text(reply: Reply, locale: str | None, from_email: str) -> str:
    """The reply in the language of ``locale`` (``fr-BE`` → French), signed with the sender's
    name from ``from_email`` (``"touchpoint <hello@…>"``) and, for help, its address."""
    language = normalize_locale(locale or "").split("-")[0]
    texts = _TEXTS.get(language, _TEXTS["en"])
    name, address = parseaddr(from_email)
    sender = name or address.partition("@")[2] or "touchpoint"
    contact = address or "our customer service"
    return texts[reply].format(sender=sender, contact=contact, rates=RATES)


def reply_language(*candidates: str | None) -> str:
    """The first known language among the candidates (a customer's locale, the locale of the
    last SMS they got, the language of the keyword they used), else English."""
    for candidate in candidates:
        language = normalize_locale(candidate or "").split("-")[0]
        if language in _TEXTS:
            return language
    return "en"


@dataclass(frozen=True)
class SmsResponse:
    """What an inbound SMS becomes: the event recorded, and the reply to queue (if any).
    ``consent`` events concern the number, so every customer who has it gets one."""

    event_type: str
    detail: dict[str, Any]
    reply: Reply | None = None
    consent: bool = False


def response_to(
    text: str, classified: Classified, answers_survey: bool, opted_out_already: bool
) -> SmsResponse:
    """``answers_survey``: the number's latest SMS from us was a satisfaction survey.
    ``opted_out_already``: its latest consent event is an opt-out (a STOP then gets no
    second confirmation: one confirmation, then silence)."""
    if classified.intent == "opt_out":
        reply = None if opted_out_already else "opted_out"
        return SmsResponse("opted_out", {"text": text}, reply, consent=True)
    if classified.intent == "opt_in":
        return SmsResponse("opted_in", {"text": text}, "opted_in", consent=True)
    if classified.intent == "help":
        return SmsResponse("replied", {"text": text, "keyword": "help"}, "help")
    if classified.intent == "score" and answers_survey:
        return SmsResponse("survey_answered", {"score": classified.score})
    return SmsResponse("replied", {"text": text})
