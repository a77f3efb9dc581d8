"""Composing the mail itself, read back as a mail client would (docs/architecture.md, Sending
invariants: templates are untrusted, good-citizen email)."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from urllib.parse import parse_qs, urlsplit

import pytest

from models.tracking import TrackingLinks, survey_marker, verify_survey
from senders.email_composition import CompositionError, EmailComposer
from tests.senders.mail_reading import html_links, parse_mail
from tests.senders.outbox_rows import FROM, SECRET, TRACKING_URL, email_message

INJECTION = "\r\nBcc: victim@example.net\r\nX-Injected: yes\n\rContent-Type: text/evil"


def survey_message():
    """A survey as rendered: each answer link still a marker, in both parts."""
    return email_message(
        body_text="Your score?\n" + "\n".join(f"{n}: {survey_marker(n)}" for n in range(11)),
        body_html="<html><body><p>Your score?</p>"
        + "".join(f'<a href="{survey_marker(n)}">{n}</a>' for n in range(11))
        + "</body></html>",
    )


def test_cr_and_lf_in_the_subject_name_and_headers_never_make_a_header_of_their_own():
    tracking = TrackingLinks(TRACKING_URL, SECRET)
    composer = EmailComposer(f"Shop{INJECTION} <hello@shop.example>", tracking)
    message = email_message(
        subject=f"Hello{INJECTION}",
        campaign=f"birthday{INJECTION}",
        headers={
            "X-Campaign-Note": f"note{INJECTION}",
            "Reply-To": f"help@shop.example{INJECTION}",
        },
    )

    data = composer.compose(message).data
    mail = parse_mail(data)

    header_lines = data.split(b"\r\n\r\n", 1)[0].split(b"\r\n")
    starts = [line.split(b":", 1)[0] for line in header_lines if not line.startswith(b" ")]
    assert starts == [
        b"From", b"To", b"Subject", b"Date", b"Message-ID", b"Content-Language",
        b"List-Unsubscribe", b"List-Unsubscribe-Post", b"X-Touchpoint-Campaign",
        b"X-Touchpoint-Message-Id", b"X-Campaign-Note", b"Reply-To", b"MIME-Version",
        b"Content-Type",
    ]  # fmt: skip
    assert mail["Bcc"] is None and mail["X-Injected"] is None
    assert mail.get_content_type() == "multipart/alternative"
    assert mail["Subject"] == (
        "Hello Bcc: victim@example.net X-Injected: yes Content-Type: text/evil"
    )
    assert mail["From"].addresses[0].addr_spec == "hello@shop.example"


def test_a_recipient_with_a_line_break_is_refused_not_sent():
    message = email_message(recipient="zoe@example.com\r\nBcc: victim@example.net")

    with pytest.raises(CompositionError, match="not a plain local@domain address"):
        EmailComposer(FROM).compose(message)


def test_without_a_tracking_service_links_stay_and_unsubscribe_is_the_mailto_alone():
    message = email_message()

    mail = parse_mail(EmailComposer(FROM).compose(message).data)

    assert mail["List-Unsubscribe"] == (
        f"<mailto:unsubscribe@shop.example?subject=unsubscribe-{message.message_id}>"
    )
    assert mail["List-Unsubscribe-Post"] is None  # RFC 8058 wants an https URI for it
    assert html_links(mail) == [
        ("href", "https://shop.example/offre?a=1&b=2"),
        ("href", "https://shop.example/"),
        ("href", "mailto:help@shop.example"),
    ]


def test_a_row_without_html_still_gets_an_html_part_made_from_the_text():
    message = email_message(body_html=None, body_text="Hello <Zoë> & co,\n\nSee you.")

    mail = parse_mail(EmailComposer(FROM).compose(message).data)

    html = mail.get_body(("html",)).get_content()
    assert "<p>Hello &lt;Zoë&gt; &amp; co,</p>" in html
    assert "<p>See you.</p>" in html
    assert '<html lang="fr-BE">' in html


def test_non_ascii_text_travels_as_7_bit_and_comes_back_intact():
    subject = "Ваш подарок ждёт вас, Zoë 🎁 — une offre valable sept jours seulement !"
    message = email_message(subject=subject, body_text="Привет, Zoë 🎁\n" * 30)

    data = EmailComposer("Boutique Élise <hello@shop.example>").compose(message).data
    mail = parse_mail(data)

    assert data.isascii()
    assert max(len(line) for line in data.split(b"\r\n")) <= 998
    subject_lines = data.split(b"\r\nSubject: ")[1].split(b"\r\nDate: ")[0].split(b"\r\n")
    assert len(subject_lines) > 1 and max(len(line) for line in subject_lines) <= 78 - 9
    assert mail["Subject"] == subject
    assert mail["From"].addresses[0].display_name == "Boutique Élise"
    assert mail.get_body(("plain",)).get_content().replace("\r\n", "\n") == message.body_text


def test_headers_owned_by_the_composer_cannot_be_overridden_by_the_row():
    message = email_message(headers={"From": "evil@example.net", "x-touchpoint-campaign": "x"})

    mail = parse_mail(EmailComposer(FROM).compose(message).data)

    assert mail.get_all("From") == ["Shop Team <hello@shop.example>"]
    assert mail.get_all("X-Touchpoint-Campaign") == ["birthday"]


def test_date_comes_from_the_clock_and_message_id_from_the_outbox_id():
    sent_at = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
    message = email_message()

    mail = parse_mail(EmailComposer(FROM, clock=lambda: sent_at).compose(message).data)

    assert mail["Date"].datetime == sent_at
    assert mail["Message-ID"] == f"<{message.message_id}@shop.example>"


@pytest.mark.parametrize(
    ("fields", "problem"),
    [
        ({"subject": "  "}, "no subject"),
        ({"body_text": None}, "no text body"),
        ({"locale": "fr BE"}, "not a language tag"),
        ({"headers": {"Bad Name": "x"}}, "header name 'Bad Name'"),
    ],
)
def test_a_row_no_mail_can_be_made_of_says_why(fields, problem):
    with pytest.raises(CompositionError, match=problem):
        EmailComposer(FROM).compose(email_message(**fields))


def test_a_bad_sender_address_is_a_setting_error():
    with pytest.raises(ValueError, match="TOUCHPOINT_FROM_EMAIL"):
        EmailComposer("Shop <not-an-address>")


def test_each_survey_marker_becomes_the_signed_link_answering_this_message_with_its_score():
    message = survey_message()

    mail = parse_mail(
        EmailComposer(FROM, TrackingLinks(TRACKING_URL, SECRET)).compose(message).data
    )

    text = mail.get_body(("plain",)).get_content()
    in_text = [line.split(": ") for line in text.splitlines() if re.match(r"\d+: ", line)]
    in_html = [url for attribute, url in html_links(mail) if attribute == "href"]
    assert [int(n) for n, _ in in_text] == list(range(11))
    assert [url for _, url in in_text] == in_html
    for score, url in enumerate(in_html):
        parts = urlsplit(url)
        query = parse_qs(parts.query)
        assert url.startswith(f"{TRACKING_URL}/s/{message.message_id}?")
        assert query["score"] == [str(score)]
        assert verify_survey(SECRET, str(message.message_id), str(score), query["sig"][0])
    assert "touchpoint-survey" not in mail.as_string()


def test_a_survey_cannot_be_sent_without_a_tracking_service_to_hear_its_answers():
    with pytest.raises(CompositionError, match="TOUCHPOINT_TRACKING_URL"):
        EmailComposer(FROM).compose(survey_message())


def test_a_mail_composed_ahead_is_sent_as_composed_with_the_date_of_the_send():
    tracking = TrackingLinks(TRACKING_URL, SECRET)
    rendered_at, sent_at = (
        datetime(2026, 11, 23, 2, 0, tzinfo=UTC),
        datetime(2026, 11, 23, 9, 0, tzinfo=UTC),
    )
    at_render = EmailComposer(FROM, tracking, clock=lambda: rendered_at)
    at_send = EmailComposer(FROM, tracking, clock=lambda: sent_at)
    message = email_message()
    stored = message.model_copy(
        update={
            "composed_mail": at_render.compose_ahead(message),
            "composed_by": at_render.composition,
        }
    )

    sent = at_send.compose(stored)

    assert sent == at_send.compose(message)  # the same bytes as composed at send
    assert b"\r\nDate: " not in stored.composed_mail
    assert parse_mail(sent.data)["Date"].datetime == sent_at


def test_the_stored_bytes_are_what_goes_out():
    composer = EmailComposer(FROM)
    message = email_message()
    ahead = composer.compose_ahead(message).replace(b"Bonjour", b"Bonsoir")
    stored = message.model_copy(
        update={"composed_mail": ahead, "composed_by": composer.composition}
    )

    assert b"Bonsoir" in composer.compose(stored).data


@pytest.mark.parametrize(
    "other",
    [
        EmailComposer("Other Shop <hello@other.example>", TrackingLinks(TRACKING_URL, SECRET)),
        EmailComposer(FROM, TrackingLinks("https://t.other.example", SECRET)),
        EmailComposer(FROM, TrackingLinks(TRACKING_URL, "another-secret")),
        EmailComposer(FROM),
    ],
    ids=["sender", "tracking service", "secret", "no tracking"],
)
def test_a_mail_composed_under_other_settings_is_composed_again_at_send(other):
    composer = EmailComposer(FROM, TrackingLinks(TRACKING_URL, SECRET))
    message = email_message()
    stored = message.model_copy(
        update={"composed_mail": other.compose_ahead(message), "composed_by": other.composition}
    )

    assert other.composition != composer.composition
    assert composer.compose(stored).data == composer.compose(message).data


def test_the_composition_names_no_secret():
    composer = EmailComposer(FROM, TrackingLinks(TRACKING_URL, SECRET))

    assert SECRET not in composer.composition
    assert (
        composer.composition == EmailComposer(FROM, TrackingLinks(TRACKING_URL, SECRET)).composition
    )
