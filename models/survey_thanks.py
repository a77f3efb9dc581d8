"""The page a survey answer link shows (``GET /s/{id}``): thanks in the recipient's language,
the score they gave, and how to change it. English for a language we have no words in.

The latest answer to a survey message is the one that counts (fct_survey_answers), so the page
says so: a reader who tapped the wrong number taps the right one in the mail.
"""

from __future__ import annotations

from dataclasses import dataclass

from models.campaign_templates import LAST_RESORT_LOCALE, normalize_locale


@dataclass(frozen=True)
class ThankYou:
    language: str  # the page's `lang`
    title: str
    text: str


_WORDS: dict[str, tuple[str, str]] = {
    "en": (
        "Thank you!",
        "You gave us {score} out of 10. Changed your mind? Choose another score in the e-mail: "
        "we keep your latest answer.",
    ),
    "fr": (
        "Merci !",
        "Vous nous avez donné {score} sur 10. Vous avez changé d'avis ? Choisissez une autre "
        "note dans l'e-mail : nous gardons votre dernière réponse.",
    ),
    "de": (
        "Vielen Dank!",
        "Sie haben uns {score} von 10 Punkten gegeben. Haben Sie es sich anders überlegt? "
        "Wählen Sie in der E-Mail eine andere Zahl: Wir behalten Ihre letzte Antwort.",
    ),
    "nl": (
        "Bedankt!",
        "Je gaf ons een {score} op 10. Toch een ander cijfer? Kies het in de e-mail: we "
        "bewaren je laatste antwoord.",
    ),
    "es": (
        "¡Gracias!",
        "Nos has dado un {score} sobre 10. ¿Has cambiado de opinión? Elige otra puntuación en "
        "el correo: guardamos tu última respuesta.",
    ),
    "it": (
        "Grazie!",
        "Ci hai dato {score} su 10. Hai cambiato idea? Scegli un altro punteggio nell'e-mail: "
        "teniamo la tua ultima risposta.",
    ),
}


def thank_you(locale: str | None, score: int) -> ThankYou:
    """The words for a recipient in ``locale`` (``fr-BE`` → French) who answered ``score``."""
    language = normalize_locale(locale or "").split("-")[0]
    if language not in _WORDS:
        language = LAST_RESORT_LOCALE
    title, text = _WORDS[language]
    return ThankYou(language, title, text.format(score=score))
