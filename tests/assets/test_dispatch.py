"""Dispatch on a real PostgreSQL through a real SMTP server (aiosmtpd): every outbox row is
received once, retried only when the server surely refused it, failed with the server's words,
and never sent twice by a rerun, a second dispatcher or a dispatcher that died mid-batch."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from datetime import time as clock_time
from pathlib import Path
from types import SimpleNamespace

import psycopg
import pytest

from assets.dispatch import dispatch_channel
from assets.dispatch_workers import present
from assets.outbox_queue import DEFAULT_LEASE, Claim, claim, in_doubt
from models.messages import OutboundMessage, SendFailure, SendResult
from models.tracking import TrackingLinks
from senders.email_composition import EmailComposer
from senders.file import FileSender
from senders.protocol import Sender
from senders.retry_policy import RetryPolicy
from senders.smtp import SmtpSender
from tests.assets.outbox_seed import (
    add_message,
    add_messages,
    compose_ahead,
    early_afternoon_zone,
)
from tests.senders.mail_reading import parse_mail
from tests.senders.outbox_rows import FROM, SECRET, TRACKING_URL
from tests.senders.smtp_server import Mailbox, SmtpServer, running_smtp_server

ROOT = Path(__file__).resolve().parents[2]

# RetryPolicy wants a positive delay; a microsecond makes a retry due by the next claim.
NO_BACK_OFF = RetryPolicy(max_attempts=3, base_delay=timedelta(microseconds=1))


@pytest.fixture
def conn(messaging_conn):
    return messaging_conn


@pytest.fixture
def smtp_server():
    with running_smtp_server() as server:
        yield server


@pytest.fixture
def composer() -> EmailComposer:
    return EmailComposer(FROM, TrackingLinks(TRACKING_URL, SECRET))


def status(conn, message_id) -> tuple:
    return conn.execute(
        "select m.status, o.outcome, m.attempts, m.last_error from messaging.outbox m "
        "join messaging.occurrences o using (campaign, occurrence_key) where m.message_id = %s",
        (message_id,),
    ).fetchone()


def statuses(conn) -> Counter:
    return Counter(dict(conn.execute("select status, count(*) from messaging.outbox group by 1")))


def received_per_recipient(server: SmtpServer) -> Counter:
    return Counter(r for mail in server.mailbox.received for r in mail.recipients)


def dispatch_email(conn, server, composer, worker="w1", policy=NO_BACK_OFF) -> Counter:
    with SmtpSender(server.url(), composer, timeout=5) as sender:
        return dispatch_channel(conn, sender, Claim(worker=worker, channel="email"), policy)


def test_every_row_is_sent_once_and_a_rerun_sends_nothing(conn, smtp_server, composer):
    ids = add_messages(conn, 5)

    first = dispatch_email(conn, smtp_server, composer)
    again = dispatch_email(conn, smtp_server, composer)

    assert first == Counter(sent=5) and again == Counter()
    assert received_per_recipient(smtp_server) == {f"u{i}@example.com": 1 for i in range(5)}
    assert all(status(conn, i)[:3] == ("sent", "sent", 1) for i in ids)
    events = conn.execute(
        "select message_id, type from messaging.message_events order by event_id"
    ).fetchall()
    assert sorted(events) == sorted((i, "sent") for i in ids)


def test_mails_composed_ahead_go_out_as_stored_and_the_others_are_composed_at_send(
    conn, smtp_server, composer
):
    ids = add_messages(conn, 3)
    compose_ahead(conn, composer, ids[:2])
    conn.execute(  # marks the stored bytes, to see that they are what goes out
        "update messaging.outbox set composed_mail = convert_to(replace(convert_from("
        "composed_mail, 'UTF8'), 'Subject: Happy birthday', 'Subject: Happy birthday (stored)'),"
        " 'UTF8')"
    )

    counts = dispatch_email(conn, smtp_server, composer)

    assert counts == Counter(sent=3)
    mails = {m.recipients[0]: parse_mail(m.data) for m in smtp_server.mailbox.received}
    subjects = {recipient: mail["Subject"] for recipient, mail in mails.items()}
    assert subjects == {
        "u0@example.com": "Happy birthday (stored)",
        "u1@example.com": "Happy birthday (stored)",
        "u2@example.com": "Happy birthday",
    }
    for message_id, recipient in zip(ids, sorted(mails), strict=True):
        mail = mails[recipient]
        assert mail["Message-ID"] == f"<{message_id}@shop.example>"
        assert abs(mail["Date"].datetime - datetime.now(UTC)) < timedelta(minutes=1)


def test_a_451_is_retried_after_its_back_off_and_sent_once(conn, smtp_server, composer):
    message_id = add_message(conn, 0)
    smtp_server.mailbox.refuse_data["u0@example.com"] = ["451 4.7.1 greylisted, try later"]

    counts = dispatch_email(conn, smtp_server, composer)

    assert counts == Counter(retried=1, sent=1)
    assert len(smtp_server.mailbox.to("u0@example.com")) == 1
    assert status(conn, message_id)[:3] == ("sent", "sent", 2)
    types = [t for (t,) in conn.execute("select type from messaging.message_events order by 1")]
    assert types == ["deferred", "sent"]


def test_a_retry_waits_for_a_real_back_off(conn, smtp_server, composer):
    message_id = add_message(conn, 0)
    smtp_server.mailbox.refuse_data["u0@example.com"] = ["451 4.7.1 try later"]

    counts = dispatch_email(conn, smtp_server, composer, policy=RetryPolicy())

    assert counts == Counter(retried=1)
    assert status(conn, message_id)[0] == "queued"
    assert smtp_server.mailbox.received == []


def test_retries_give_up_after_the_policy_s_last_attempt(conn, smtp_server, composer):
    message_id = add_message(conn, 0)
    smtp_server.mailbox.refuse_data["u0@example.com"] = ["451 4.3.0 busy"] * 5

    counts = dispatch_email(conn, smtp_server, composer)

    assert counts == Counter(retried=2, failed=1)
    state, outcome, attempts, reason = status(conn, message_id)
    assert (state, outcome, attempts) == ("failed", "failed", 3)
    assert "451" in reason and "busy" in reason


def test_a_550_fails_with_the_server_s_reason_and_is_not_retried(conn, smtp_server, composer):
    message_id = add_message(conn, 0)
    add_message(conn, 1)
    smtp_server.mailbox.refuse_rcpt["u0@example.com"] = "550 5.1.1 no such user"

    counts = dispatch_email(conn, smtp_server, composer)
    again = dispatch_email(conn, smtp_server, composer)

    assert counts == Counter(failed=1, sent=1) and again == Counter()
    state, outcome, attempts, reason = status(conn, message_id)
    assert (state, outcome, attempts) == ("failed", "failed", 1)
    assert "550" in reason and "no such user" in reason
    reasons = conn.execute(
        "select detail->>'reason' from messaging.message_events where type = 'failed'"
    ).fetchall()
    assert len(reasons) == 1 and "no such user" in reasons[0][0]
    assert received_per_recipient(smtp_server) == {"u1@example.com": 1}


@pytest.mark.parametrize("ahead", [False, True], ids=["composed at send", "composed ahead"])
def test_two_dispatchers_on_one_outbox_never_send_a_message_twice(
    conn, database_url, smtp_server, composer, ahead
):
    ids = add_messages(conn, 120)
    if ahead:
        compose_ahead(conn, composer, ids)
    results: dict[str, Counter] = {}
    errors: list[BaseException] = []

    start_together = threading.Barrier(2, timeout=30)

    def run(worker: str) -> None:
        try:
            with psycopg.connect(database_url, autocommit=True) as own:
                small_groups = Claim(worker=worker, channel="email", in_flight=10)
                with SmtpSender(smtp_server.url(), composer, timeout=10) as sender:
                    start_together.wait()
                    results[worker] = dispatch_channel(own, sender, small_groups, NO_BACK_OFF)
        except BaseException as error:  # surfaced by the assert below
            errors.append(error)

    threads = [threading.Thread(target=run, args=(w,)) for w in ("a", "b")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert not errors
    assert results["a"]["sent"] + results["b"]["sent"] == 120
    assert results["a"]["sent"] and results["b"]["sent"]  # both really took part
    assert received_per_recipient(smtp_server) == {f"u{i}@example.com": 1 for i in range(120)}
    assert statuses(conn) == {"sent": 120}


def test_a_dispatcher_killed_mid_send_leaves_one_row_in_doubt_and_the_rest_sent_once(
    conn, smtp_server, composer
):
    add_messages(conn, 6)
    # The dead worker claimed a group of one into `sending` and never came back.
    [row] = claim(conn, Claim(worker="dead", channel="email", lease=timedelta(0)), 1)
    in_flight = row["message_id"]

    counts = dispatch_email(conn, smtp_server, composer, worker="next")

    assert counts == Counter(lapsed_in_doubt=1, sent=5)
    assert status(conn, in_flight)[:2] == ("in_doubt", "in_doubt")
    in_doubt_recipient = conn.execute(
        "select recipient from messaging.outbox where message_id = %s", (in_flight,)
    ).fetchone()[0]
    received = received_per_recipient(smtp_server)
    assert in_doubt_recipient not in received
    assert set(received.values()) == {1} and len(received) == 5
    assert dispatch_email(conn, smtp_server, composer, worker="next") == Counter()


class SlowMailbox(Mailbox):
    """Keeps the mail, then waits before answering 250: a dispatcher killed in that wait has
    handed the message over without recording it (the in-doubt case)."""

    async def handle_DATA(self, server, session, envelope) -> str:
        reply = await super().handle_DATA(server, session, envelope)
        await asyncio.sleep(0.02)
        return reply


@pytest.fixture
def slow_smtp_server():
    with running_smtp_server(SlowMailbox()) as server:
        yield server


# A dispatcher in a process of its own, so it can be killed with SIGKILL mid-batch. Its
# connection is named after it, so a test can see when PostgreSQL has ended its session. With
# `die_after` N > 0 it kills itself right after the provider accepted its Nth group, before
# the statement recording those answers (with the next group's claim) could run.
DISPATCHER = """
import os, signal, sys
from datetime import timedelta
import psycopg
from assets.dispatch import dispatch_channel
from assets.outbox_queue import Claim
from models.tracking import TrackingLinks
from senders.email_composition import EmailComposer
from senders.retry_policy import RetryPolicy
from senders.smtp import SmtpSender
from tests.senders.mail_reading import parse_mail
from tests.senders.outbox_rows import FROM, SECRET, TRACKING_URL

database_url, smtp_url, lease_s, in_flight, die_after = sys.argv[1:]


class DoomedSender(SmtpSender):
    groups = 0

    def send_many(self, messages):
        results = super().send_many(messages)
        DoomedSender.groups += 1
        if DoomedSender.groups == int(die_after):
            os.kill(os.getpid(), signal.SIGKILL)
        return results


composer = EmailComposer(FROM, TrackingLinks(TRACKING_URL, SECRET))
lease = timedelta(seconds=float(lease_s))
claim = Claim(worker="doomed", channel="email", lease=lease, in_flight=int(in_flight))
with psycopg.connect(
    database_url, autocommit=True, application_name="doomed"
) as conn, DoomedSender(smtp_url, composer, timeout=10) as sender:
    dispatch_channel(conn, sender, claim, RetryPolicy())
"""


def start_dispatcher(
    database_url: str, server: SmtpServer, lease: timedelta, in_flight: int, die_after: int = 0
) -> subprocess.Popen:
    arguments = [database_url, server.url(), str(lease.total_seconds()), str(in_flight)]
    return subprocess.Popen(
        [sys.executable, "-c", DISPATCHER, *arguments, str(die_after)],
        cwd=ROOT,
        env=os.environ | {"PYTHONPATH": str(ROOT)},
    )


def kill_mid_batch(database_url: str, server: SmtpServer, lease: timedelta, in_flight: int) -> int:
    """Run a dispatcher holding leases of ``lease`` and sending ``in_flight`` rows at a time,
    SIGKILL it once 10 mails have arrived, and return how many had arrived when it died."""
    doomed = start_dispatcher(database_url, server, lease, in_flight)
    deadline = time.monotonic() + 60
    while len(server.mailbox.received) < 10 and doomed.poll() is None:
        assert time.monotonic() < deadline, "the dispatcher sent nothing"
        time.sleep(0.005)
    os.kill(doomed.pid, signal.SIGKILL)
    doomed.wait(timeout=10)
    return len(server.mailbox.received)


def wait_for_session_end(conn, application_name: str, within_s: float = 5) -> None:
    """PostgreSQL ends a dead client's session as soon as it sees the socket closed: within
    milliseconds, so a rerun a moment later finds the worker gone."""
    deadline = time.monotonic() + within_s
    query = "select count(*) from pg_stat_activity where application_name = %s"
    while conn.execute(query, (application_name,)).fetchone()[0]:
        assert time.monotonic() < deadline, f"the session of {application_name} is still open"
        time.sleep(0.01)


def assert_sent_once_or_in_doubt(conn, server: SmtpServer, count: int, in_flight: int) -> list[str]:
    """Every row sent (received exactly once) but at most ``in_flight`` in doubt (the rows the
    killed dispatcher had marked `sending` together on its one connection); the in-doubt ones."""
    rows = dict(conn.execute("select recipient, status from messaging.outbox").fetchall())
    received = received_per_recipient(server)
    in_doubt = [r for r, state in rows.items() if state == "in_doubt"]
    assert len(rows) == count
    assert max(received.values()) == 1  # no message received twice
    assert len(in_doubt) <= in_flight
    assert {r for r, state in rows.items() if state == "sent"} | set(in_doubt) >= set(received)
    assert all(received[r] == 1 for r, state in rows.items() if state == "sent")
    assert sorted(set(rows.values())) in (["sent"], ["in_doubt", "sent"])
    return in_doubt


# One row at a time, and groups of 8: killed after 10 mails, the dispatcher is inside its
# second group, so up to 8 rows are in doubt, most of them never handed over.
@pytest.mark.parametrize("in_flight", [1, 8])
def test_a_dispatcher_killed_with_sigkill_then_a_rerun_never_sends_a_message_twice(
    conn, database_url, composer, slow_smtp_server, in_flight
):
    count = 60
    add_messages(conn, count)

    lease = timedelta(seconds=1)
    killed_after = kill_mid_batch(database_url, slow_smtp_server, lease, in_flight)
    time.sleep(1.2)  # the dead worker's lease lapses
    counts = dispatch_email(conn, slow_smtp_server, composer, worker="rerun")

    assert 10 <= killed_after < count, "killed mid-batch, not before or after it"
    in_doubt = assert_sent_once_or_in_doubt(conn, slow_smtp_server, count, in_flight)
    assert counts["lapsed_in_doubt"] == len(in_doubt)


@pytest.mark.parametrize(
    ("in_flight", "ahead"), [(1, False), (8, False), (8, True)], ids=["1", "8", "8-composed-ahead"]
)
def test_a_rerun_right_after_a_sigkill_sends_every_remaining_row_without_waiting_for_the_lease(
    conn, database_url, composer, slow_smtp_server, in_flight, ahead
):
    count = 60
    ids = add_messages(conn, count)
    if ahead:
        compose_ahead(conn, composer, ids)

    killed_after = kill_mid_batch(database_url, slow_smtp_server, DEFAULT_LEASE, in_flight)
    wait_for_session_end(conn, "doomed")
    started = time.monotonic()
    counts = dispatch_email(conn, slow_smtp_server, composer, worker="rerun")
    took = time.monotonic() - started

    assert 10 <= killed_after < count, "killed mid-batch, not before or after it"
    in_doubt = assert_sent_once_or_in_doubt(conn, slow_smtp_server, count, in_flight)
    assert counts["lapsed_in_doubt"] == len(in_doubt)
    assert statuses(conn)["sent"] == count - len(in_doubt)  # every other row went out
    assert took < 30  # a fraction of the 5-minute lease: nothing waited for it
    assert dispatch_email(conn, slow_smtp_server, composer, worker="again") == Counter()


def test_killed_after_the_provider_took_a_group_but_before_recording_it_that_group_is_in_doubt(
    conn, database_url, smtp_server, composer
):
    count, in_flight = 30, 8
    add_messages(conn, count)

    doomed = start_dispatcher(database_url, smtp_server, DEFAULT_LEASE, in_flight, die_after=2)
    assert doomed.wait(timeout=60) == -signal.SIGKILL
    wait_for_session_end(conn, "doomed")
    took = set(received_per_recipient(smtp_server))
    left = dict(conn.execute("select recipient, status from messaging.outbox").fetchall())
    counts = dispatch_email(conn, smtp_server, composer, worker="rerun")

    # Its first group's answers rode on the claim of the second; the second's never ran.
    assert len(took) == 2 * in_flight
    assert Counter(left.values()) == {"sent": 8, "sending": 8, "queued": count - 16}
    assert {r for r, state in left.items() if state != "queued"} == took
    assert counts == Counter(lapsed_in_doubt=in_flight, sent=count - 2 * in_flight)
    doubted = {row["recipient"] for row in in_doubt(conn)}
    assert doubted == {r for r, state in left.items() if state == "sending"}
    assert received_per_recipient(smtp_server) == {f"u{i}@example.com": 1 for i in range(count)}
    assert dispatch_email(conn, smtp_server, composer, worker="again") == Counter()


def test_a_running_dispatcher_s_group_is_its_own_until_its_session_ends_then_in_doubt(
    conn, database_url, smtp_server, composer
):
    add_messages(conn, 3)
    with psycopg.connect(database_url, autocommit=True) as running, present(running, "running"):
        claim(running, Claim(worker="running", channel="email"), 2)  # then it hangs

        meanwhile = dispatch_email(conn, smtp_server, composer, worker="other")
        still_held = statuses(conn)
    afterwards = dispatch_email(conn, smtp_server, composer, worker="other")

    assert meanwhile == Counter(sent=1)
    assert still_held == {"sending": 2, "sent": 1}
    # Its session gone, nobody can tell whether it handed them over: in doubt, at once (its
    # 5-minute leases did not have to lapse), and never sent by another.
    assert afterwards == Counter(lapsed_in_doubt=2)
    assert statuses(conn) == {"in_doubt": 2, "sent": 1}
    assert len(smtp_server.mailbox.received) == 1


def test_the_file_sender_writes_each_email_and_sms_once(conn, composer, tmp_path):
    email_ids = add_messages(conn, 3)
    sms_id = add_message(conn, 10, channel="sms")
    sender = FileSender(tmp_path / "out", composer)

    email = dispatch_channel(conn, sender, Claim("w", "email"), NO_BACK_OFF)
    sms = dispatch_channel(conn, sender, Claim("w", "sms"), NO_BACK_OFF)
    again = dispatch_channel(conn, sender, Claim("w", "email"), NO_BACK_OFF)

    assert (email, sms, again) == (Counter(sent=3), Counter(sent=1), Counter())
    names = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert names == sorted([f"{i}.eml" for i in email_ids] + [f"{sms_id}.json"])
    record = json.loads((tmp_path / "out" / f"{sms_id}.json").read_text())
    assert record["to"] == "+32470000010" and record["X-Touchpoint-Message-Id"] == str(sms_id)
    assert status(conn, sms_id)[:2] == ("sent", "sent")


class ScriptedSender(Sender):
    """Answers from a script, for outcomes no local server can produce (an SNS opt-out)."""

    def __init__(self, *answers: SendResult) -> None:
        self.answers, self.sent = list(answers), []

    def send(self, message: OutboundMessage) -> SendResult:
        self.sent.append(message.message_id)
        return self.answers.pop(0)


def test_an_opted_out_number_fails_and_records_the_opt_out(conn):
    message_id = add_message(conn, 0, channel="sms")
    sender = ScriptedSender(SendFailure.permanent("+32470000000 opted out", opted_out=True))

    counts = dispatch_channel(conn, sender, Claim("w", "sms"), NO_BACK_OFF)

    assert counts == Counter(opted_out=1)
    assert status(conn, message_id)[:2] == ("failed", "failed")
    assert conn.execute(
        "select customer_id, channel from messaging.message_events where type = 'opted_out'"
    ).fetchall() == [("c-0", "sms")]


def test_an_answer_that_may_have_been_accepted_is_in_doubt_and_never_resent(conn):
    message_id = add_message(conn, 0, channel="sms")
    sender = ScriptedSender(SendFailure.unknown_outcome("read timeout after publish"))

    counts = dispatch_channel(conn, sender, Claim("w", "sms"), NO_BACK_OFF)
    again = dispatch_channel(conn, sender, Claim("w", "sms"), NO_BACK_OFF)

    assert (counts, again) == (Counter(in_doubt=1), Counter())
    assert sender.sent == [message_id]
    assert status(conn, message_id)[:2] == ("in_doubt", "in_doubt")


def test_the_dispatch_assets_drain_each_channel_downstream_of_the_campaigns(
    conn, database_url, composer, tmp_path
):
    from dagster import AssetKey, materialize

    from assets.dispatch_assets import build_dispatch_assets
    from assets.resources import Warehouse

    add_messages(conn, 2)
    add_message(conn, 10, channel="sms")
    campaigns = [AssetKey(["campaigns", "birthday"]), AssetKey(["campaigns", "winback"])]
    assets = build_dispatch_assets(campaigns)
    senders = SimpleNamespace(open=lambda channel: FileSender(tmp_path / channel, composer))

    result = materialize(
        assets, resources={"warehouse": Warehouse(url=database_url), "senders": senders}
    )

    assert result.success
    sent = {
        event.asset_key.path[-1]: event.materialization.metadata["sent"].value
        for event in result.get_asset_materialization_events()
    }
    assert sent == {"email": 2, "sms": 1}
    assert statuses(conn) == {"sent": 3}
    assert [len(list((tmp_path / channel).iterdir())) for channel in ("email", "sms")] == [2, 1]
    specs = {spec.key: spec for a in assets for spec in a.specs}
    assert set(specs) == {AssetKey(["dispatch", "email"]), AssetKey(["dispatch", "sms"])}
    for spec in specs.values():
        assert {dep.asset_key for dep in spec.deps} == set(campaigns)
        assert spec.group_name == "dispatch"


class ClockedSender(Sender):
    """Notes the clock's reading at each send, then hands the message on."""

    def __init__(self, inner: Sender, clock) -> None:
        self.inner, self.clock, self.times = inner, clock, []

    def send(self, message: OutboundMessage) -> SendResult:
        self.times.append(self.clock())
        return self.inner.send(message)


def test_the_rate_limit_paces_every_send(conn, composer, tmp_path):
    from senders.rate_limit import TokenBucket

    add_messages(conn, 5)
    clock = [0.0]

    def sleep(seconds: float) -> None:
        clock[0] += seconds

    bucket = TokenBucket(2, burst=1, clock=lambda: clock[0], sleep=sleep)
    sender = ClockedSender(FileSender(tmp_path / "out", composer), lambda: clock[0])

    counts = dispatch_channel(conn, sender, Claim("w", "email"), NO_BACK_OFF, bucket)

    assert counts == Counter(sent=5)
    # The first from the full bucket, then 2 a second.
    assert sender.times == pytest.approx([0.0, 0.5, 1.0, 1.5, 2.0])


def test_dispatch_refuses_a_connection_that_would_hold_every_step_in_one_transaction(
    database_url, composer, tmp_path
):
    sender = FileSender(tmp_path, composer)
    with psycopg.connect(database_url) as conn, pytest.raises(ValueError, match="autocommit"):
        dispatch_channel(conn, sender, Claim("w", "email"), NO_BACK_OFF)


def set_window(conn, message_id, zone: str, start: str, end: str) -> None:
    conn.execute(
        "update messaging.outbox set time_zone = %s, window_start = %s, window_end = %s "
        "where message_id = %s",
        (zone, start, end, message_id),
    )


def test_a_row_that_comes_due_outside_its_window_waits_for_its_next_opening(
    conn, composer, tmp_path
):
    zone = early_afternoon_zone(datetime.now(UTC))  # it is 12:00–15:59 there
    closed, open_, too_late = add_messages(conn, 3)
    set_window(conn, closed, zone, "16:00", "17:00")
    set_window(conn, open_, zone, "09:00", "20:00")
    set_window(conn, too_late, zone, "16:00", "17:00")
    conn.execute(
        "update messaging.outbox set expires_at = now() + interval '1 minute' "
        "where message_id = %s",
        (too_late,),
    )

    counts = dispatch_channel(
        conn, FileSender(tmp_path, composer), Claim("w", "email"), NO_BACK_OFF
    )

    assert counts == Counter(sent=1)
    assert [p.name for p in tmp_path.iterdir()] == [f"{open_}.eml"]
    assert status(conn, closed)[:2] == ("queued", "deferred")
    assert status(conn, too_late)[:2] == ("expired", "expired")
    local_send_after = conn.execute(
        "select (send_after at time zone %s)::time, (send_after at time zone %s)::date "
        "= (now() at time zone %s)::date from messaging.outbox where message_id = %s",
        (zone, zone, zone, closed),
    ).fetchone()
    assert local_send_after == (clock_time(16), True)  # today, when the window opens
    assert conn.execute(
        "select detail->>'reason' from messaging.message_events "
        "where message_id = %s and type = 'deferred'",
        (closed,),
    ).fetchone() == ("outside the send window",)


def test_a_provider_event_settles_a_row_in_doubt_and_the_rest_are_listed(conn, composer, tmp_path):
    delivered, silent = add_messages(conn, 2)
    for message_id in (delivered, silent):
        conn.execute(
            "update messaging.outbox set status = 'in_doubt', attempts = 1, "
            "last_error = 'no answer after the final dot' where message_id = %s",
            (message_id,),
        )
        conn.execute(
            "update messaging.occurrences set outcome = 'in_doubt' from messaging.outbox m "
            "where m.message_id = %s and m.occurrence_key = occurrences.occurrence_key",
            (message_id,),
        )
    conn.execute(
        "insert into messaging.message_events (message_id, type, occurred_at, source_event_id) "
        "values (%s, 'delivered', now(), 'ses-event-1')",
        (delivered,),
    )

    counts = dispatch_channel(
        conn, FileSender(tmp_path, composer), Claim("w", "email"), NO_BACK_OFF
    )

    assert counts == Counter(reconciled=1)
    assert list(tmp_path.iterdir()) == []  # nothing resent
    assert status(conn, delivered)[:2] == ("sent", "sent")
    assert status(conn, silent)[:2] == ("in_doubt", "in_doubt")
    assert [row["message_id"] for row in in_doubt(conn)] == [silent]
    assert conn.execute(
        "select detail from messaging.message_events where message_id = %s and type = 'sent'",
        (delivered,),
    ).fetchone() == ({"reconciled": True},)


def test_a_connection_dropped_mid_batch_loses_nothing_and_sends_nothing_twice(
    conn, smtp_server, composer
):
    add_messages(conn, 6)
    smtp_server.mailbox.hang_up_after.add("u2@example.com")  # closes after accepting u2
    smtp_server.mailbox.vanish_after_data.add("u4@example.com")  # keeps u4, never answers

    counts = dispatch_email(conn, smtp_server, composer)
    again = dispatch_email(conn, smtp_server, composer)

    assert counts == Counter(sent=5, in_doubt=1) and again == Counter()
    assert received_per_recipient(smtp_server) == {f"u{i}@example.com": 1 for i in range(6)}
    assert statuses(conn) == {"sent": 5, "in_doubt": 1}


def test_consent_withdrawn_after_the_judgement_stops_the_send(conn, composer, tmp_path):
    unsubscribed, still_welcome = add_messages(conn, 2)
    # The dbt view's shape (customer_id, channel, reason); its rules are tested in tests/dbt.
    conn.execute("create schema intermediate")
    conn.execute(
        "create view intermediate.int_contact_suppressions as "
        "select 'c-0'::text as customer_id, 'email'::text as channel, "
        "'unsubscribed'::text as reason"
    )

    counts = dispatch_channel(
        conn, FileSender(tmp_path, composer), Claim("w", "email"), NO_BACK_OFF
    )

    assert counts == Counter(sent=1)
    assert [p.name for p in tmp_path.iterdir()] == [f"{still_welcome}.eml"]
    state, outcome, attempts, reason = status(conn, unsubscribed)
    assert (state, outcome, attempts) == ("failed", "no_consent", 0)
    assert reason == "consent withdrawn before sending: unsubscribed"
