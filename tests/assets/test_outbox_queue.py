"""The outbox as a work queue on a real PostgreSQL: claims never overlap, a row is handed to a
provider only by the worker holding it, a lapsed `sending` row becomes `in_doubt`, and what a
worker whose session has ended held is released at once."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import psycopg
import pytest
from psycopg.types.json import Jsonb

from assets.dispatch_workers import present
from assets.outbox_queue import (
    Claim,
    claim,
    needing_dispatch,
    record_failed,
    record_in_doubt,
    record_retry,
    record_sent,
    start_sending,
    sweep,
)

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


def test_two_workers_never_claim_the_same_row(conn, database_url):
    for i in range(10):
        add_message(conn, f"k{i}")
    # Worker A holds its claim's transaction open while B claims.
    with psycopg.connect(database_url, autocommit=True) as other, conn.transaction():
        first = claim(conn, Claim(worker="a", channel="email", limit=6))
        second = claim(other, Claim(worker="b", channel="email", limit=6))

    assert len(first) == 6 and len(second) == 4
    assert not {r["message_id"] for r in first} & {r["message_id"] for r in second}


def test_rows_not_yet_due_or_claimed_by_someone_else_are_left_alone(conn):
    add_message(conn, "later", send_after=NOW + timedelta(hours=2))
    add_message(conn, "now")
    with present(conn, "a"):
        claim(conn, Claim(worker="a", channel="email"))

        again = claim(conn, Claim(worker="b", channel="email"))

    assert again == []


def test_rows_claimed_by_a_worker_whose_session_ended_are_claimable_at_once(conn, database_url):
    message_id = add_message(conn, "k")
    with psycopg.connect(database_url, autocommit=True) as gone, present(gone, "a"):
        claim(gone, Claim(worker="a", channel="email"))  # a 5-minute lease

    assert needing_dispatch(conn) == 1
    assert [r["message_id"] for r in claim(conn, Claim(worker="b", channel="email"))] == [
        message_id
    ]


def test_a_row_left_sending_by_a_worker_whose_session_ended_is_in_doubt_at_once(conn, database_url):
    message_id = add_message(conn, "k")
    with psycopg.connect(database_url, autocommit=True) as gone, present(gone, "a"):
        claim(gone, Claim(worker="a", channel="email"))
        start_sending(gone, [message_id], "a")
        while_present = sweep(conn, "email")

    doubted = sweep(conn, "email")

    assert while_present == [] and doubted == [str(message_id)]
    assert status(conn, message_id) == ("in_doubt", "in_doubt")
    assert claim(conn, Claim(worker="b", channel="email")) == []


def test_only_the_worker_holding_the_claim_may_start_sending(conn):
    message_id = add_message(conn, "k")
    claim(conn, Claim(worker="a", channel="email", lease=timedelta(0)))
    claim(conn, Claim(worker="b", channel="email"))  # a's lease lapsed: b takes the row over

    assert start_sending(conn, [message_id], "a") == set()
    assert start_sending(conn, [message_id], "b") == {message_id}
    assert status(conn, message_id) == ("sending", "queued")


def test_a_sending_row_whose_lease_lapsed_becomes_in_doubt_and_is_not_claimed_again(conn):
    message_id = add_message(conn, "k")
    claim(conn, Claim(worker="a", channel="email"))
    start_sending(conn, [message_id], "a", lease=timedelta(0))

    doubted = sweep(conn, "email")

    assert doubted == [str(message_id)]
    assert status(conn, message_id) == ("in_doubt", "in_doubt")
    assert claim(conn, Claim(worker="b", channel="email")) == []


def test_a_sent_row_records_the_provider_id_the_event_and_the_outcome(conn):
    message_id = add_message(conn, "k")
    claim(conn, Claim(worker="a", channel="email"))
    start_sending(conn, [message_id], "a")

    record_sent(conn, [(message_id, "<provider-1@example.com>")])

    assert status(conn, message_id) == ("sent", "sent")
    assert conn.execute(
        "select type, detail->>'provider_message_id' from messaging.message_events"
    ).fetchall() == [("sent", "<provider-1@example.com>")]


def test_a_retry_waits_for_its_back_off_then_is_claimed_again(conn):
    message_id = add_message(conn, "k")
    claim(conn, Claim(worker="a", channel="email"))
    start_sending(conn, [message_id], "a")

    record_retry(conn, [(message_id, "451 try later", timedelta(0))])
    again = claim(conn, Claim(worker="a", channel="email"))

    assert [r["message_id"] for r in again] == [message_id]
    assert again[0]["attempts"] == 1 and again[0]["last_error"] == "451 try later"


def test_a_group_marked_sending_together_records_each_answer_with_its_event(conn):
    sent, retried, failed, doubted = ids = [add_message(conn, f"k{i}") for i in range(4)]
    claim(conn, Claim(worker="a", channel="email"))
    assert start_sending(conn, ids, "a") == set(ids)

    with conn.transaction():
        record_sent(conn, [(sent, "<provider-1@example.com>")])
        record_retry(conn, [(retried, "451 try later", timedelta(seconds=30))])
        record_failed(conn, [(failed, "550 no such user")])
        record_in_doubt(conn, [(doubted, "no answer after the dot")])

    assert [status(conn, i) for i in ids] == [
        ("sent", "sent"),
        ("queued", "queued"),
        ("failed", "failed"),
        ("in_doubt", "in_doubt"),
    ]
    events = dict(
        conn.execute(
            "select message_id, array[type, detail::text] from messaging.message_events"
        ).fetchall()
    )
    assert events == {
        sent: ["sent", '{"provider_message_id": "<provider-1@example.com>"}'],
        retried: ["deferred", '{"reason": "451 try later", "retry_in_s": 30}'],
        failed: ["failed", '{"reason": "550 no such user"}'],
        doubted: ["failed", '{"reason": "no answer after the dot", "in_doubt": true}'],
    }
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
    assert claim(conn, Claim(worker="a", channel="email")) == []


def test_partitions_split_the_outbox_between_workers(conn):
    for i in range(40):
        add_message(conn, f"k{i}")

    parts = [
        {r["message_id"] for r in claim(conn, Claim("w", "email", partition=p, partitions=3))}
        for p in range(3)
    ]

    assert sum(len(p) for p in parts) == 40
    assert all(parts) and not (parts[0] & parts[1] or parts[1] & parts[2])
