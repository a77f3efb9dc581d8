"""The outbox as a work queue on a real PostgreSQL: claims never overlap and go straight into
`sending`, a group's answers are recorded by the statement that claims the next group, a lapsed
`sending` row becomes `in_doubt`, and what a worker whose session has ended held is settled at
once."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import psycopg
import pytest
from psycopg.types.json import Jsonb

from assets.dispatch_workers import present
from assets.outbox_queue import Answers, Claim, claim, needing_dispatch, record, sweep

NOW = datetime.now(UTC)


@pytest.fixture
def conn(messaging_conn):
    return messaging_conn


def add_message(conn, key: str, send_after=None, expires_at=None) -> uuid.UUID:
    message_id = uuid.uuid4()
    send_after = send_after or NOW - timedelta(minutes=1)
    expires_at = expires_at or NOW + timedelta(days=1)
    conn.execute(
        "insert into messaging.occurrences (campaign, occurrence_key, customer_id, occurred_at, "
        "expires_at, context, as_of, outcome, channel, send_after) "
        "values ('c', %s, %s, %s, %s, %s, %s, 'queued', 'email', %s)",
        (key, f"cust-{key}", NOW, expires_at, Jsonb({}), NOW, send_after),
    )
    conn.execute(
        "insert into messaging.outbox (message_id, campaign, occurrence_key, customer_id, "
        "channel, recipient, locale, send_after, expires_at) "
        "values (%s, 'c', %s, %s, 'email', 'x@example.com', 'en', %s, %s)",
        (message_id, key, f"cust-{key}", send_after, expires_at),
    )
    return message_id


def status(conn, message_id) -> tuple[str, str]:
    return conn.execute(
        "select m.status, o.outcome from messaging.outbox m join messaging.occurrences o "
        "using (campaign, occurrence_key) where m.message_id = %s",
        (message_id,),
    ).fetchone()


def claimed(conn, worker: str, size: int = 100, answered=None, **options) -> list:
    """The message ids ``worker`` claims (recording ``answered`` with them)."""
    rows = claim(conn, Claim(worker, "email", **options), size, answered)
    return [r["message_id"] for r in rows]


def test_two_workers_never_claim_the_same_row(conn, database_url):
    for i in range(10):
        add_message(conn, f"k{i}")
    # Worker A holds its claim's transaction open while B claims.
    with psycopg.connect(database_url, autocommit=True) as other, conn.transaction():
        first = claimed(conn, "a", 6)
        second = claimed(other, "b", 6)

    assert len(first) == 6 and len(second) == 4
    assert not set(first) & set(second)


def test_a_claim_marks_its_rows_sending_with_the_attempt_counted(conn):
    message_id = add_message(conn, "k")

    [row] = claim(conn, Claim(worker="a", channel="email"), 100)

    assert (row["message_id"], row["attempts"]) == (message_id, 1)
    assert status(conn, message_id) == ("sending", "queued")
    assert conn.execute(
        "select claimed_by, lease_until > now(), attempted_at is not null from messaging.outbox"
    ).fetchone() == ("a", True, True)


def test_rows_not_yet_due_or_claimed_by_someone_else_are_left_alone(conn):
    add_message(conn, "later", send_after=NOW + timedelta(hours=2))
    add_message(conn, "now")
    with present(conn, "a"):
        claimed(conn, "a")

        again = claimed(conn, "b")

    assert again == []


def test_rows_leased_by_a_worker_whose_session_ended_are_claimable_at_once(conn):
    # Leased but still queued, as dispatchers left their claims before a claim went straight
    # to `sending`: free as soon as their worker's session is gone.
    message_id = add_message(conn, "k")
    conn.execute(
        "update messaging.outbox set claimed_by = 'a', lease_until = now() + interval '5 minutes'"
    )

    assert needing_dispatch(conn) == 1
    assert claimed(conn, "b") == [message_id]


def test_a_row_left_sending_by_a_worker_whose_session_ended_is_in_doubt_at_once(conn, database_url):
    message_id = add_message(conn, "k")
    with psycopg.connect(database_url, autocommit=True) as gone, present(gone, "a"):
        claimed(gone, "a")
        while_present = sweep(conn, "email")

    doubted = sweep(conn, "email")

    assert while_present == [] and doubted == [str(message_id)]
    assert status(conn, message_id) == ("in_doubt", "in_doubt")
    assert claimed(conn, "b") == []


def test_a_sending_row_whose_lease_lapsed_becomes_in_doubt_and_is_not_claimed_again(conn):
    message_id = add_message(conn, "k")
    with present(conn, "a"):
        claimed(conn, "a", lease=timedelta(0))

        doubted = sweep(conn, "email")

    assert doubted == [str(message_id)]
    assert status(conn, message_id) == ("in_doubt", "in_doubt")
    assert claimed(conn, "b") == []


def test_a_sent_row_records_the_provider_id_the_event_and_the_outcome(conn):
    message_id = add_message(conn, "k")
    claimed(conn, "a")
    answers = Answers()
    answers.sent(message_id, "<provider-1@example.com>")

    record(conn, answers)

    assert status(conn, message_id) == ("sent", "sent")
    assert conn.execute(
        "select type, detail->>'provider_message_id' from messaging.message_events"
    ).fetchall() == [("sent", "<provider-1@example.com>")]
    assert conn.execute(
        "select provider_message_id, sent_at is not null, lease_until from messaging.outbox"
    ).fetchone() == ("<provider-1@example.com>", True, None)


def test_a_retry_waits_for_its_back_off_then_is_claimed_again(conn):
    message_id = add_message(conn, "k")
    claimed(conn, "a")
    answers = Answers()
    answers.retried(message_id, "451 try later", timedelta(0))

    record(conn, answers)
    again = claim(conn, Claim(worker="a", channel="email"), 100)

    assert [(r["message_id"], r["attempts"]) for r in again] == [(message_id, 2)]
    assert conn.execute("select last_error from messaging.outbox").fetchone() == ("451 try later",)


def test_a_group_s_answers_are_recorded_by_the_claim_of_the_next_group(conn):
    sent, retried, failed, opted_out, doubted = ids = [add_message(conn, f"k{i}") for i in range(5)]
    following = add_message(conn, "k5", send_after=NOW)
    assert set(claimed(conn, "a", 5)) == set(ids)
    answers = Answers()
    answers.sent(sent, "<provider-1@example.com>")
    answers.retried(retried, "451 try later", timedelta(seconds=30))
    answers.failed(failed, "550 no such user")
    answers.opted_out(opted_out, "the number opted out")
    answers.in_doubt(doubted, "no answer after the dot")

    next_group = claimed(conn, "a", 5, answered=answers)

    assert next_group == [following]
    assert [status(conn, i) for i in ids] == [
        ("sent", "sent"),
        ("queued", "queued"),
        ("failed", "failed"),
        ("failed", "failed"),
        ("in_doubt", "in_doubt"),
    ]
    events = conn.execute(
        "select message_id, type, detail::text, customer_id from messaging.message_events"
    ).fetchall()
    assert sorted(events, key=lambda e: (ids.index(e[0]), e[1])) == [
        (sent, "sent", '{"provider_message_id": "<provider-1@example.com>"}', None),
        (retried, "deferred", '{"reason": "451 try later", "retry_in_s": 30}', None),
        (failed, "failed", '{"reason": "550 no such user"}', None),
        (opted_out, "failed", '{"reason": "the number opted out"}', None),
        (
            opted_out,
            "opted_out",
            '{"reason": "the number opted out", "source": "provider"}',
            "cust-k3",
        ),
        (doubted, "failed", '{"reason": "no answer after the dot", "in_doubt": true}', None),
    ]
    assert conn.execute(
        "select claimed_by, send_after > now() + interval '29 seconds', last_error "
        "from messaging.outbox where message_id = %s",
        (retried,),
    ).fetchone() == (None, True, "451 try later")


def test_a_message_past_its_expiry_is_expired_not_sent(conn):
    message_id = add_message(
        conn, "k", send_after=NOW - timedelta(days=2), expires_at=NOW - timedelta(hours=1)
    )

    sweep(conn, "email")

    assert status(conn, message_id) == ("expired", "expired")
    assert claimed(conn, "a") == []


def test_partitions_split_the_outbox_between_workers(conn):
    for i in range(40):
        add_message(conn, f"k{i}")

    parts = [set(claimed(conn, "w", partition=p, partitions=3)) for p in range(3)]

    assert sum(len(p) for p in parts) == 40
    assert all(parts) and not (parts[0] & parts[1] or parts[1] & parts[2])
