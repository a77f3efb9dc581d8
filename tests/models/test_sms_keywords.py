"""What an inbound SMS asks for, in six languages, and what touchpoint answers."""

from __future__ import annotations

import pytest

from models.sms_keywords import classify
from models.sms_replies import RATES, reply_language, reply_text, response_to
from senders.sms_composition import DEFAULT_MAX_SEGMENTS, over_segment_limit

FROM = "Garage Dupont <service@garage.example>"


@pytest.mark.parametrize(
    "text",
    ["STOP", "stop", "Stop!", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "REVOKE",
     "OPT OUT", "opt-out", "optout", "please stop", "Stop texting me please", "STOP all",
     "I want to unsubscribe", "remove me", "ARRÊT", "Arrêt", "arret", "désabonner",
     "Je veux me désabonner", "STOP s'il vous plaît", "ABMELDEN", "Stopp!", "kündigen",
     "AFMELDEN", "uitschrijven", "BAJA", "darme de baja", "PARAR", "ANNULLA", "disiscrivimi"],
)  # fmt: skip
def test_stop_words_in_every_language_and_plain_requests_opt_out(text):
    assert classify(text).intent == "opt_out"


@pytest.mark.parametrize(
    "text",
    ["stop by the store", "Cancel my appointment", "the end", "Can I stop by on Tuesday?",
     "STOP 2", "Hello", "", "   "],
)  # fmt: skip
def test_a_stop_word_inside_a_real_message_is_a_reply(text):
    assert classify(text).intent == "other"


def test_start_help_and_their_local_words():
    assert [classify(t).intent for t in ["START", "unstop", "Opt in", "ALTA"]] == ["opt_in"] * 4
    assert [classify(t).intent for t in ["HELP", "help me", "AIDE", "Hilfe", "ayuda"]] == [
        "help"
    ] * 5


@pytest.mark.parametrize(
    ("text", "score"), [("9", 9), (" 9 ", 9), ("9/10", 9), ("10", 10), ("0", 0), ("7.", 7)]
)
def test_a_number_from_0_to_10_is_a_score(text, score):
    assert (classify(text).intent, classify(text).score) == ("score", score)


@pytest.mark.parametrize("text", ["11", "-1", "9.5", "9 or 10", "99"])
def test_other_numbers_are_not_scores(text):
    assert classify(text).intent != "score"


def test_the_keyword_tells_the_language_when_nothing_else_does():
    assert classify("ARRÊT").language == "fr"
    assert classify("STOP").language is None
    assert reply_language(None, None, classify("BAJA").language) == "es"
    assert reply_language("de-AT", "fr", "es") == "de"
    assert reply_language(None, "pt-BR", None) == "en"


@pytest.mark.parametrize("locale", ["en", "fr-BE", "de", "nl", "es", "it", "pt", None])
def test_help_names_the_sender_a_contact_and_the_rates_in_every_language(locale):
    text = reply_text("help", locale, FROM)

    assert "Garage Dupont" in text
    assert "service@garage.example" in text
    assert RATES == "Msg & data rates may apply" and RATES in text


@pytest.mark.parametrize("locale", ["en", "fr", "de", "nl", "es", "it"])
@pytest.mark.parametrize("reply", ["opted_out", "opted_in", "help"])
def test_every_reply_fits_the_default_sms_segment_cap(locale, reply):
    text = reply_text(reply, locale, FROM)

    assert over_segment_limit(text, DEFAULT_MAX_SEGMENTS) is None


def test_one_confirmation_per_stop_then_silence_and_a_score_only_after_a_survey():
    stop = classify("STOP")
    assert response_to("STOP", stop, False, opted_out_already=False).reply == "opted_out"
    assert response_to("STOP", stop, False, opted_out_already=True).reply is None
    answered = response_to("9", classify("9"), answers_survey=True, opted_out_already=False)
    assert (answered.event_type, answered.detail) == ("survey_answered", {"score": 9})
    plain = response_to("9", classify("9"), answers_survey=False, opted_out_already=False)
    assert (plain.event_type, plain.detail) == ("replied", {"text": "9"})
