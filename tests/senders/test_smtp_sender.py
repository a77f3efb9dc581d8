"""SMTP against a real server (aiosmtpd on loopback): what arrives, and what each fault means."""

from __future__ import annotations

import pytest

from models.messages import Accepted, SendFailure
from senders.smtp import SmtpSender, parse_smtp_url
from tests.senders.mail_reading import (
    html_links,
    parse_mail,
    tracked_click,
    tracked_open,
    tracked_unsubscribe,
)
from tests.senders.outbox_rows import TRACKING_URL, email_message, sms_message
from tests.senders.smtp_server import SMTP_PASSWORD, SMTP_USER, authenticator, free_port


def test_the_mail_arrives_with_every_header_both_parts_and_signed_links(smtp_server, composer):
    message = email_message()

    with SmtpSender(smtp_server.url(), composer, timeout=5) as sender:
        result = sender.send(message)

    assert isinstance(result, Accepted)
    [received] = smtp_server.mailbox.received
    assert received.mail_from == "hello@shop.example"
    assert received.recipients == ["zoe@example.com"]
    mail = parse_mail(received.data)
    message_id = str(message.message_id)
    assert mail["From"] == "Shop Team <hello@shop.example>"
    assert mail["To"] == "zoe@example.com"
    assert mail["Subject"] == "Joyeux anniversaire, Zoë !"
    assert mail["Date"].datetime.tzinfo is not None
    assert mail["Message-ID"] == f"<{message_id}@shop.example>" == result.provider_message_id
    assert mail["Content-Language"] == "fr-BE"
    assert mail["X-Touchpoint-Campaign"] == "birthday"
    assert mail["X-Touchpoint-Message-Id"] == message_id
    assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    https_link, mailto = [item.strip(" <>") for item in mail["List-Unsubscribe"].split(",")]
    assert tracked_unsubscribe(https_link) == message_id
    assert mailto == f"mailto:unsubscribe@shop.example?subject=unsubscribe-{message_id}"
    assert mail.get_content_type() == "multipart/alternative"
    text = mail.get_body(("plain",)).get_content()
    assert text.replace("\r\n", "\n") == message.body_text
    links = dict((url, attr) for attr, url in html_links(mail))
    clicks = sorted(
        tracked_click(url) for url, attr in links.items() if url.startswith(TRACKING_URL + "/c/")
    )
    assert clicks == [
        (message_id, "https://shop.example/"),
        (message_id, "https://shop.example/offre?a=1&b=2"),
    ]
    assert "mailto:help@shop.example" in links
    [pixel] = [url for url, attr in links.items() if attr == "src"]
    assert tracked_open(pixel) == message_id


def test_a_batch_goes_over_one_connection(smtp_server, composer):
    messages = [email_message(recipient=f"r{n}@example.com") for n in range(3)]

    with SmtpSender(smtp_server.url(), composer, timeout=5) as sender:
        results = [sender.send(message) for message in messages]

    assert all(isinstance(result, Accepted) for result in results)
    assert len(smtp_server.mailbox.received) == 3
    assert len(smtp_server.mailbox.connections) == 1


def test_a_451_is_retryable_and_the_retry_is_delivered_once(smtp_server, composer):
    message = email_message()
    smtp_server.mailbox.refuse_data["zoe@example.com"] = ["451 4.3.0 Greylisted, try later"]

    with SmtpSender(smtp_server.url(), composer, timeout=5) as sender:
        first = sender.send(message)
        second = sender.send(message)

    assert first == SendFailure.transient(
        "message to <zoe@example.com>: 451 4.3.0 Greylisted, try later"
    )
    assert isinstance(second, Accepted)
    assert len(smtp_server.mailbox.to("zoe@example.com")) == 1


def test_a_550_is_permanent_with_the_servers_reason_and_the_batch_goes_on(smtp_server, composer):
    smtp_server.mailbox.refuse_rcpt["gone@example.com"] = "550 5.1.1 <gone@example.com>: unknown"

    with SmtpSender(smtp_server.url(), composer, timeout=5) as sender:
        refused = sender.send(email_message(recipient="gone@example.com"))
        delivered = sender.send(email_message(recipient="kept@example.com"))

    assert refused == SendFailure.permanent(
        "RCPT TO <gone@example.com>: 550 5.1.1 <gone@example.com>: unknown"
    )
    assert isinstance(delivered, Accepted)
    assert [mail.recipients for mail in smtp_server.mailbox.received] == [["kept@example.com"]]
    assert len(smtp_server.mailbox.connections) == 1


def test_a_connection_dropped_mid_batch_is_reopened_and_every_mail_arrives_once(
    smtp_server, composer
):
    recipients = [f"r{n}@example.com" for n in range(5)]
    smtp_server.mailbox.hang_up_after.add("r1@example.com")

    with SmtpSender(smtp_server.url(), composer, timeout=5) as sender:
        results = [sender.send(email_message(recipient=to)) for to in recipients]

    assert all(isinstance(result, Accepted) for result in results)
    assert [mail.recipients[0] for mail in smtp_server.mailbox.received] == recipients
    assert len(smtp_server.mailbox.connections) == 2


def test_no_answer_after_the_content_is_in_doubt_never_retried(smtp_server, composer):
    smtp_server.mailbox.vanish_after_data.add("zoe@example.com")

    with SmtpSender(smtp_server.url(), composer, timeout=5) as sender:
        result = sender.send(email_message())
        after = sender.send(email_message(recipient="next@example.com"))

    assert isinstance(result, SendFailure)
    assert result.in_doubt and not result.retryable
    assert "may have accepted" in result.reason
    # the server did keep it: a resend would have been a duplicate
    assert len(smtp_server.mailbox.to("zoe@example.com")) == 1
    assert isinstance(after, Accepted)


def test_a_batch_handed_over_at_once_gets_each_mail_s_own_outcome_and_nothing_twice(
    smtp_server, composer
):
    """With PIPELINING the envelope of each mail travels behind the dot of the one before, so a
    refusal, a hang-up or a lost answer meets mails already on the wire: each still ends as it
    would alone, and the mails behind a lost connection go out on a new one."""
    mailbox = smtp_server.mailbox
    mailbox.refuse_rcpt["r1@example.com"] = "550 5.1.1 <r1@example.com>: unknown"
    mailbox.refuse_data["r2@example.com"] = ["451 4.3.0 Greylisted, try later"]
    mailbox.hang_up_after.add("r3@example.com")
    mailbox.vanish_after_data.add("r5@example.com")
    messages = [email_message(recipient=f"r{n}@example.com") for n in range(7)]
    messages.insert(2, email_message(recipient="not an address"))

    with SmtpSender(smtp_server.url(), composer, timeout=5) as sender:
        results = sender.send_many(messages)

    kinds = [
        "sent" if isinstance(r, Accepted) else "in doubt" if r.in_doubt else
        "retry" if r.retryable else "failed"
        for r in results
    ]  # fmt: skip
    assert kinds == ["sent", "failed", "failed", "retry", "sent", "sent", "in doubt", "sent"]
    assert results[1].reason.startswith("RCPT TO <r1@example.com>: 550")
    assert "not a plain local@domain address" in results[2].reason
    assert results[3].reason == "message to <r2@example.com>: 451 4.3.0 Greylisted, try later"
    received = [mail.recipients[0] for mail in mailbox.received]
    assert received == [f"r{n}@example.com" for n in (0, 3, 4, 5, 6)]
    assert len(mailbox.connections) == 3  # reopened after the hang-up and after the lost answer


def test_a_421_ends_the_connection_and_the_mails_behind_it_go_out_on_a_new_one(
    smtp_server, composer
):
    smtp_server.mailbox.refuse_rcpt["r1@example.com"] = "421 4.3.2 Service shutting down"
    messages = [email_message(recipient=f"r{n}@example.com") for n in range(3)]

    with SmtpSender(smtp_server.url(), composer, timeout=5) as sender:
        first, closing, third = sender.send_many(messages)

    assert isinstance(first, Accepted) and isinstance(third, Accepted)
    assert closing == SendFailure.transient(
        "RCPT TO <r1@example.com>: 421 4.3.2 Service shutting down"
    )
    assert [mail.recipients[0] for mail in smtp_server.mailbox.received] == [
        "r0@example.com",
        "r2@example.com",
    ]
    assert len(smtp_server.mailbox.connections) == 2


def test_a_server_that_is_not_there_is_retryable(composer):
    with SmtpSender(f"smtp://127.0.0.1:{free_port()}", composer, timeout=2) as sender:
        result = sender.send(email_message())

    assert result.retryable
    assert "cannot connect" in result.reason


def test_a_row_no_mail_can_be_made_of_is_permanent(smtp_server, composer):
    with SmtpSender(smtp_server.url(), composer, timeout=5) as sender:
        result = sender.send(email_message(recipient="not an address"))

    assert not result.retryable and not result.in_doubt
    assert "not a plain local@domain address" in result.reason
    assert smtp_server.mailbox.received == []


def test_an_sms_handed_to_smtp_is_a_wiring_mistake(smtp_server, composer):
    with (
        SmtpSender(smtp_server.url(), composer, timeout=5) as sender,
        pytest.raises(ValueError, match="email only"),
    ):
        sender.send(sms_message())


def test_starttls_then_auth(start_smtp_server, certificate, composer):
    server = start_smtp_server(
        tls_context=certificate.server_context,
        require_starttls=True,
        auth_required=True,
        authenticator=authenticator,
    )
    url = server.url(credentials="mailer:p%40ss%20word%3A1@", query="?starttls=1")

    with SmtpSender(url, composer, timeout=5, ssl_context=certificate.client_context) as sender:
        result = sender.send(email_message())

    assert isinstance(result, Accepted)
    assert len(server.mailbox.received) == 1


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
def test_implicit_tls_then_auth(start_smtp_server, certificate, composer):
    server = start_smtp_server(
        ssl_context=certificate.server_context,
        auth_required=True,
        auth_require_tls=False,  # aiosmtpd only counts STARTTLS as TLS; this socket is TLS
        authenticator=authenticator,
    )
    url = server.url("smtps", credentials="mailer:p%40ss%20word%3A1@")

    with SmtpSender(url, composer, timeout=5, ssl_context=certificate.client_context) as sender:
        result = sender.send(email_message())

    assert isinstance(result, Accepted)
    assert len(server.mailbox.received) == 1


def test_wrong_credentials_are_retryable_and_nothing_is_sent(
    start_smtp_server, certificate, composer
):
    server = start_smtp_server(
        tls_context=certificate.server_context,
        require_starttls=True,
        auth_required=True,
        authenticator=authenticator,
    )
    url = server.url(credentials="mailer:wrong@", query="?starttls=1")

    with SmtpSender(url, composer, timeout=5, ssl_context=certificate.client_context) as sender:
        result = sender.send(email_message())

    assert result.retryable and "cannot connect" in result.reason
    assert server.mailbox.received == []


def test_smtp_urls():
    assert parse_smtp_url("smtp://mail.example:2525") == parse_smtp_url(
        "smtp://mail.example:2525?starttls=0"
    )
    endpoint = parse_smtp_url("smtps://mailer:p%40ss%20word%3A1@mail.example")
    assert (endpoint.port, endpoint.implicit_tls, endpoint.starttls) == (465, True, False)
    assert (endpoint.username, endpoint.password) == (SMTP_USER, SMTP_PASSWORD)
    assert SMTP_PASSWORD not in repr(endpoint)
    assert parse_smtp_url("smtp://relay?starttls=1").starttls
    assert parse_smtp_url("smtp://relay").port == 25


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("http://user:hunter2@relay", "must start with smtp:// or smtps://"),
        ("smtp://user:hunter2@relay?tls=1", "unknown option 'tls'"),
        ("smtps://user:hunter2@relay?starttls=1", "TLS already"),
        ("smtp://user:hunter2@relay?starttls=maybe", "starttls must be 1 or 0"),
        ("smtp://user:hunter2@relay:smtp", "not a number"),
    ],
)
def test_a_bad_smtp_url_says_what_is_wrong_without_the_password(url, expected):
    with pytest.raises(ValueError, match=expected) as error:
        parse_smtp_url(url)
    assert "hunter2" not in str(error.value)
