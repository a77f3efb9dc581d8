"""The run summary's dispatch part on a real PostgreSQL, after real dispatches over real SMTP:
it always says what waits and why, says plainly when nothing was sent although messages were
due, flags a run whose every send failed, and masks contacts unless asked not to."""

from __future__ import annotations

import psycopg
import pytest
from aiosmtpd.controller import Controller

from assets.dispatch import dispatch_channel
from assets.dispatch_workers import present
from assets.outbox_queue import Claim, claim
from models.tracking import TrackingLinks
from orchestration.summary import run_summary, server_now
from senders.email_composition import EmailComposer
from senders.file import FileSender
from senders.retry_policy import RetryPolicy
from senders.smtp import SmtpSender
from tests.assets.outbox_seed import add_message, add_messages
from tests.senders.outbox_rows import FROM, SECRET, TRACKING_URL
from tests.senders.smtp_server import Mailbox, SmtpServer, authenticator, free_port
from warehouse.raw_schema import ensure_raw_schema


@pytest.fixture
def conn(messaging_conn):
    ensure_raw_schema(messaging_conn)  # the summary's ingest part reads it
    return messaging_conn


@pytest.fixture
def since(conn, database_url):
    return server_now(database_url)


@pytest.fixture
def composer() -> EmailComposer:
    return EmailComposer(FROM, TrackingLinks(TRACKING_URL, SECRET))


@pytest.fixture
def start_smtp_server():
    controllers = []

    def start(mailbox: Mailbox | None = None, **options) -> SmtpServer:
        mailbox, port = mailbox or Mailbox(), free_port()
        controllers.append(Controller(mailbox, hostname="127.0.0.1", port=port, **options))
        controllers[-1].start()
        return SmtpServer(mailbox, port)

    yield start
    for controller in controllers:
        controller.stop()


def dispatch(conn, url: str, composer, worker: str = "w") -> None:
    with SmtpSender(url, composer, timeout=5) as sender:
        dispatch_channel(conn, sender, Claim(worker, "email"), RetryPolicy())


def dispatch_part(text: str) -> str:
    return text[text.index("Waiting in the outbox") :]


# A login over plain SMTP on loopback: aiosmtpd warns that real servers should want TLS.
@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
def test_smtp_auth_refused_says_nothing_was_sent_and_why_and_fails_the_run(
    conn, database_url, since, composer, start_smtp_server
):
    add_messages(conn, 3)
    server = start_smtp_server(
        auth_required=True, auth_require_tls=False, authenticator=authenticator
    )

    dispatch(conn, server.url(credentials="mailer:wrong@"), composer)
    summary = run_summary(database_url, since)

    assert server.mailbox.received == []
    refused = f"smtp://127.0.0.1:{server.port}: cannot connect: (535"
    assert summary.send_failure.startswith(
        f"nothing was sent although 3 messages were due: 3 retrying after an error ({refused}"
    )
    assert summary.send_failure.endswith("every send this run attempted failed (3)")
    assert summary.send_failure in summary.text
    waiting = summary.text.splitlines()[summary.text.splitlines().index(summary.send_failure) + 2]
    assert waiting.split()[0] == "3"
    assert "retrying after an error, next attempt from" in waiting and refused in waiting


def test_rows_a_running_worker_is_sending_are_shown_with_the_worker(
    conn, database_url, since, composer, tmp_path
):
    add_messages(conn, 2)
    with psycopg.connect(database_url, autocommit=True) as running, present(running, "busy"):
        claim(running, Claim(worker="busy", channel="email"), 100)
        dispatch_channel(conn, FileSender(tmp_path, composer), Claim("w", "email"), RetryPolicy())
        summary = run_summary(database_url, since)

    assert summary.send_failure is None  # nothing failed: another worker has them
    assert (
        "nothing was sent although 2 messages were due: "
        "2 being handed to the provider by another worker"
    ) in summary.text
    assert "     2 being handed to the provider by worker busy, still running" in summary.text


def test_messages_waiting_for_their_send_window_show_its_next_opening(conn, database_url, since):
    message_id = add_message(conn, 0)
    conn.execute(
        "update messaging.outbox set send_after = '2099-06-01 07:00+00' where message_id = %s",
        (message_id,),
    )

    text = run_summary(database_url, since).text

    assert "nothing was sent" not in text  # nothing was due
    assert "     1 waiting for their send window, the next opening at 2099-06-01" in text


def test_after_a_crash_the_rerun_lists_the_message_in_doubt_and_what_to_do(
    conn, database_url, since, composer, start_smtp_server
):
    add_messages(conn, 4)
    [first] = claim(conn, Claim(worker="killed", channel="email"), 1)  # then the worker died
    server = start_smtp_server()

    dispatch(conn, server.url(), composer, worker="rerun")
    text = run_summary(database_url, since).text

    assert len(server.mailbox.received) == 3
    assert "Sent by this run: 3 messages" in text
    assert "     1 in doubt: never resent, see below" in dispatch_part(text)
    assert "In doubt: 1 messages the provider may have taken" in text
    assert "set its status back to 'queued' in messaging.outbox" in text
    assert f"{first['message_id']} birthday → u***@example.com: the worker sending it" in text


def test_a_permanent_refusal_is_listed_with_the_server_s_words_grouped_by_error(
    conn, database_url, since, composer, start_smtp_server
):
    add_messages(conn, 3)
    server = start_smtp_server()
    for recipient in ("u0@example.com", "u1@example.com"):
        server.mailbox.refuse_rcpt[recipient] = "550 5.1.1 no such user"

    dispatch(conn, server.url(), composer)
    summary = run_summary(database_url, since)

    assert summary.send_failure is None  # one of three went out
    assert (
        "Failed in this run, and why\n"
        "       2 failed: RCPT TO <the recipient>: 550 5.1.1 no such user"
    ) in summary.text


def test_contacts_are_masked_unless_asked_for(conn, database_url, since, composer, tmp_path):
    add_message(conn, 0)
    add_message(conn, 10, channel="sms")
    doubted = add_message(conn, 20)
    conn.execute(
        "update messaging.outbox set status = 'in_doubt', last_error = 'no answer from "
        "u20@example.com' where message_id = %s",
        (doubted,),
    )
    sender = FileSender(tmp_path, composer)
    for channel in ("email", "sms"):
        dispatch_channel(conn, sender, Claim("w", channel), RetryPolicy())

    masked = run_summary(database_url, since).text
    shown = run_summary(database_url, since, show_contacts=True).text

    contacts = ("u0@example.com", "+32470000010", "u20@example.com")
    assert not [c for c in contacts if c in masked]
    assert "to u***@example.com (en)" in masked and "to +32******10 (en)" in masked
    assert "→ u***@example.com: no answer from u***@example.com" in masked
    assert all(c in shown for c in contacts)


def test_rows_claimed_by_a_worker_that_stopped_are_shown_as_free_for_the_next_dispatch(
    conn, database_url, since
):
    add_messages(conn, 2)
    # Leased, still queued, by a worker never present (as if killed): how dispatchers left
    # their claims before a claim went straight to `sending`.
    conn.execute(
        "update messaging.outbox set claimed_by = 'stopped', "
        "lease_until = now() + interval '5 minutes'"
    )

    text = run_summary(database_url, since).text

    assert (
        "     2 claimed by worker stopped, which has stopped: the next dispatch sends them"
    ) in text
    assert (
        "nothing was sent although 2 messages were due: 2 claimed by a worker that has stopped"
    ) in text


def test_errors_that_do_not_group_are_counted_and_the_list_stays_short(
    conn, database_url, since, composer, start_smtp_server
):
    add_messages(conn, 14)
    server = start_smtp_server()
    for i in range(14):
        server.mailbox.refuse_data[f"u{i}@example.com"] = [f"451 4.3.0 queue {i} is full"]

    dispatch(conn, server.url(), composer)
    summary = run_summary(database_url, since)

    assert summary.send_failure == (
        "nothing was sent although 14 messages were due: 14 retrying after an error "
        "(14 different errors, listed below); every send this run attempted failed (14)"
    )
    waiting = dispatch_part(summary.text).split("\n\n")[0].splitlines()
    assert len(waiting) == 1 + 12 + 1
    assert waiting[-1] == "  … and 2 more groups (messaging.outbox)"
