"""Every header line within RFC 5322's limits (998 characters, 78 wherever a break is allowed),
whatever a name or a template holds, and read back as the text that was meant."""

from __future__ import annotations

import smtplib

import pytest

from models.message_text import one_line
from models.tracking import TrackingLinks
from senders import mime
from senders.email_composition import CompositionError, EmailComposer
from senders.smtp import SmtpSender
from tests.senders.mail_reading import display_name, header_lines, parse_mail
from tests.senders.outbox_rows import FROM, SECRET, TRACKING_URL, email_message

# Content that breaks naive folding: no spaces, non-ASCII of every width, things that look
# like syntax, line breaks, and lengths on both sides of a line.
ADVERSARIAL = {
    "5000 letters, no space": "A" * 5000,
    "long French with spaces": "Joyeux anniversaire Zoë, " * 200,
    "emoji": "🎉" * 700,
    "family emoji (ZWJ)": "👨‍👩‍👧‍👦" * 120,
    "combining accents": "e\u0301" * 900,
    "CJK": "中文字符测试" * 300,
    "CR/LF injection": "Hi\r\nBcc: victim@example.net\r\n\r\nbody" * 100,
    "very long URL": "https://shop.example/offer?" + "&".join(f"p{i}=v{i}" for i in range(600)),
    "looks like an encoded word": "=?utf-8?q?not_really?= " * 40,
    "many short words": "word " * 400,
    "one word just fitting": "x" * 60,
    "one word just too long": "x" * 80,
    "syntax characters": 'Anne-Marie "Jr." O\'Brien, <sales> (VIP); a\\b @ : ' * 30,
}
MAX_LINE, SOFT_LINE = 998, 78


def composed(message=None, **composer_options) -> bytes:
    composer = EmailComposer(composer_options.pop("from_address", FROM), **composer_options)
    data = composer.compose(message or email_message()).data
    assert max(len(line) for line in data.split(b"\r\n")) <= MAX_LINE
    return data


def assert_folded(data: bytes, name: str) -> None:
    lines = header_lines(data, name)
    assert max(len(line) for line in lines) <= SOFT_LINE, [len(line) for line in lines]


@pytest.mark.parametrize("value", ADVERSARIAL.values(), ids=ADVERSARIAL.keys())
def test_a_subject_of_any_content_is_folded_within_78_and_reads_back_exactly(value):
    data = composed(email_message(subject=value))

    assert_folded(data, "Subject")
    assert parse_mail(data)["Subject"] == one_line(value)


@pytest.mark.parametrize("value", ADVERSARIAL.values(), ids=ADVERSARIAL.keys())
def test_a_custom_header_and_the_campaign_header_of_any_content_fold_and_read_back(value):
    data = composed(email_message(campaign=value, headers={"X-Campaign-Note": value}))

    mail = parse_mail(data)
    for name in ("X-Campaign-Note", "X-Touchpoint-Campaign"):
        assert_folded(data, name)
        assert mail[name] == one_line(value)


@pytest.mark.parametrize("value", ADVERSARIAL.values(), ids=ADVERSARIAL.keys())
def test_a_from_display_name_of_any_content_folds_and_keeps_its_address(value):
    name = value.replace("<", "‹").replace(">", "›")  # the setting's own syntax: Name <addr>
    data = composed(from_address=f"{name} <hello@shop.example>")

    assert_folded(data, "From")
    assert display_name(data, "From") == one_line(name)
    assert parse_mail(data)["From"].addresses[0].addr_spec == "hello@shop.example"


@pytest.mark.parametrize("value", ADVERSARIAL.values(), ids=ADVERSARIAL.keys())
def test_a_to_display_name_of_any_content_folds_and_keeps_its_address(value):
    head = mime.address_header("To", value, "zoe@example.com")
    data = f"{head}Subject: x\r\n\r\nbody\r\n".encode("ascii")

    assert_folded(data, "To")
    assert display_name(data, "To") == one_line(value)
    assert parse_mail(data)["To"].addresses[0].addr_spec == "zoe@example.com"


def test_unsubscribe_urls_stay_whole_and_one_too_long_for_any_line_is_broken_inside_its_brackets():
    message = email_message()
    long_base = "https://t.shop.example/" + "-".join(["segment"] * 200)
    short, long = TrackingLinks(TRACKING_URL, SECRET), TrackingLinks(long_base, SECRET)

    kept = composed(message, tracking=short)
    broken = composed(message, tracking=long)

    kept_items = parse_mail(kept)["List-Unsubscribe"].split(", ")
    assert kept_items[0] == f"<{short.unsubscribe(message.message_id)}>"
    *https_lines, mailto_line = header_lines(broken, "List-Unsubscribe")
    assert len(https_lines) > 1 and max(len(line) for line in https_lines) <= SOFT_LINE
    assert mailto_line.startswith(b" <mailto:")  # short enough to stay whole
    assert not any(line.endswith(b"-") for line in https_lines)  # RFC 3986 appendix C
    https, mailto = "".join(parse_mail(broken)["List-Unsubscribe"].split()).split(",")
    assert https == f"<{long.unsubscribe(message.message_id)}>"
    assert mailto == f"<mailto:unsubscribe@shop.example?subject=unsubscribe-{message.message_id}>"


def test_a_language_tag_too_long_for_a_line_loses_whole_subtags_from_its_end():
    extensions = "-".join(f"ext{i:05d}" for i in range(150))
    locale = f"de-CH-1901-{extensions}-x-{extensions}"

    data = composed(email_message(locale=locale))

    sent = parse_mail(data)["Content-Language"]
    assert len(header_lines(data, "Content-Language")) == 1
    assert locale.startswith(f"{sent}-") and sent.startswith("de-CH-1901-ext00000")
    assert len(sent.split("-")[-1]) > 1  # never ends with a singleton such as "x"
    assert parse_mail(composed(email_message(locale="fr-BE")))["Content-Language"] == "fr-BE"


@pytest.mark.parametrize(
    ("recipient", "problem"),
    [
        (f"{'a' * 65}@example.com", "not a plain local@domain address"),
        (f"zoe@{'d' * 60}.{'e' * 60}.{'f' * 60}.{'g' * 60}.example", "not a plain local@domain"),
    ],
)
def test_an_address_over_smtps_lengths_is_refused_not_sent(recipient, problem):
    with pytest.raises(CompositionError, match=problem):
        composed(email_message(recipient=recipient))


def test_a_header_name_too_long_for_its_line_is_refused():
    with pytest.raises(CompositionError, match="at most 76 printable ASCII"):
        composed(email_message(headers={"X-" + "N" * 75: "value"}))


def test_a_5000_character_first_name_reaches_a_server_that_refuses_lines_over_998(
    smtp_server, composer
):
    first_name = "Bartholomew" * 455  # 5,005 letters, no space to fold at
    subject = f"Joyeux anniversaire, {first_name} !"
    message = email_message(subject=subject, body_text=f"Bonjour {first_name},\n\nÀ bientôt.")

    with SmtpSender(smtp_server.url(), composer, timeout=5) as sender:
        result = sender.send(message)

    assert result.provider_message_id == f"<{message.message_id}@shop.example>"
    mail = parse_mail(smtp_server.mailbox.received[0].data)
    assert mail["Subject"] == subject
    assert first_name in mail.get_body(("plain",)).get_content()


def test_the_test_server_refuses_a_line_of_999_characters_as_a_real_one_does(smtp_server):
    with smtplib.SMTP("127.0.0.1", smtp_server.port, timeout=5) as client:
        with pytest.raises(smtplib.SMTPDataError, match="longer than 998"):
            client.sendmail("a@shop.example", ["b@example.com"], f"Subject: {'x' * 990}\r\n\r\n")
        client.sendmail("a@shop.example", ["b@example.com"], f"Subject: {'x' * 989}\r\n\r\n")

    assert len(smtp_server.mailbox.received) == 1
