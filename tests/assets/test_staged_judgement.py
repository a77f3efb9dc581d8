"""A file's chunks are staged on several connections at once and judged as they are stored; the
split takes them in the file's order and routes each row by the flags it was judged with."""

from __future__ import annotations

import io
import json

import psycopg
import pytest

from assets import batch_staging
from assets.raw_loader import split_batch
from assets.row_judging import rule_flags
from assets.staging_ahead import staged_ahead
from models.landing import WEB_EVENT_TYPES, WEB_EVENTS
from tests.assets.landing_files import web_event
from warehouse.raw_schema import ensure_raw_schema
from warehouse.row_rules import judged_rules


@pytest.fixture
def connections(database_url):
    with (
        psycopg.connect(database_url, autocommit=True) as conn,
        psycopg.connect(database_url, autocommit=True) as first,
        psycopg.connect(database_url, autocommit=True) as second,
    ):
        ensure_raw_schema(conn)
        yield conn, [first, second]


def lines(*event_ids: str) -> io.BytesIO:
    return io.BytesIO(b"".join(json.dumps(web_event(e)).encode() + b"\n" for e in event_ids))


def test_chunks_staged_side_by_side_come_in_the_order_of_the_file(connections, monkeypatch):
    monkeypatch.setattr(batch_staging, "COPY_BLOCK", 64)
    monkeypatch.setattr(batch_staging, "JSON_CHUNK_BYTES", 400)  # a line or two a chunk
    conn, stagings = connections
    event_ids = [f"E{n}" for n in range(1, 13)]

    with staged_ahead(stagings, WEB_EVENTS, lines(*event_ids)) as batches:
        staged = [
            conn.execute(f"select _row_number, event_id from raw.{batch.table}").fetchall()
            for batch in batches
        ]

    assert len(staged) > 2
    assert [row for rows in staged for row in rows] == list(enumerate(event_ids, start=1))


def test_the_split_routes_each_row_by_the_flags_it_was_staged_with(connections):
    conn, stagings = connections
    with staged_ahead(stagings, WEB_EVENTS, lines("E1", "E2")) as batches:
        [batch] = list(batches)
    type_is_known = [r.name for r in judged_rules(WEB_EVENTS)].index("type_is_known")
    # Were the split to judge the rows again, E2 (a page view) would load.
    conn.execute(
        f"update raw.{batch.table} set {rule_flags(WEB_EVENTS)[type_is_known]} = true "
        "where event_id = 'E2'"
    )

    with conn.transaction():
        counts = split_batch(conn, WEB_EVENTS, batch, "day.jsonl")

    assert (counts.rows_read, counts.rows_loaded, counts.rows_rejected) == (2, 1, 1)
    assert {rule.name: n for rule, n in counts.broken.items() if n} == {"type_is_known": 1}
    [(row_number, reason)] = conn.execute(
        "select _row_number, _reject_reason from raw.web_events_rejects"
    ).fetchall()
    assert row_number == 2
    assert reason == f"type 'page_view' is not one of {', '.join(WEB_EVENT_TYPES)}"
