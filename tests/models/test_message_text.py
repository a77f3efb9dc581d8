import pytest

from models.message_text import one_line, opt_out_words


@pytest.mark.parametrize(
    "text",
    [
        "Hello\r\nBcc: someone@example.com",
        "Hello\nBcc: someone@example.com",
        "Hello\u2028Bcc: someone@example.com",
        "  Hello \t\x00 Bcc: someone@example.com \x85",
    ],
)
def test_a_header_value_is_one_line_whatever_breaks_it_held(text):
    assert one_line(text) == "Hello Bcc: someone@example.com"


@pytest.mark.parametrize(
    ("locale", "words"),
    [
        ("en-GB", "STOP to opt out"),
        ("fr-BE", "STOP pour vous désabonner"),
        ("de-CH", "STOP zum Abbestellen"),
        ("nl", "STOP om je af te melden"),
        ("es", "STOP para darte de baja"),
        ("it", "STOP per disiscriverti"),
        ("ja", "STOP to opt out"),
    ],
)
def test_opt_out_words_speak_the_recipients_language_else_english(locale, words):
    assert opt_out_words(locale) == words
