"""JSON lines go into the server as they are and are parsed there, a chunk at a time: every line
is loaded or rejected with the server's reason, numbered as the file numbers its lines, whatever
chunk it falls in and whichever path its chunk took; the expectations are judged on the very
rows the split rejected."""

from __future__ import annotations

import json

import psycopg
import pytest

from assets import batch_staging
from assets.ingest import EXPECTATIONS_CHECK, RECONCILE_CHECK, ingest, materialize_result
from assets.resources import CrmDatabase, LandingZoneResource, Warehouse
from models.landing import WEB_EVENTS
from tests.assets.landing_files import web_event, write


def run_ingest(url: str, landing):
    return ingest(
        Warehouse(url=url), LandingZoneResource(location=str(landing)), CrmDatabase(), WEB_EVENTS
    )


def line(event_id: str, **fields) -> bytes:
    return json.dumps(web_event(event_id, **fields)).encode()


def table(url: str, query: str) -> list[tuple]:
    with psycopg.connect(url) as conn:
        return conn.execute(query).fetchall()


@pytest.fixture
def small_chunks(monkeypatch):
    """Chunks of two or three lines, so one file takes several, on both paths."""
    monkeypatch.setattr(batch_staging, "COPY_BLOCK", 64)
    monkeypatch.setattr(batch_staging, "JSON_CHUNK_BYTES", 400)


@pytest.fixture(params=["string_to_table", "unnest_before_postgresql_14"])
def line_splitting(request, monkeypatch):
    """Either way the server makes a chunk's lines rows (both run on this server)."""
    if request.param == "unnest_before_postgresql_14":
        monkeypatch.setattr(batch_staging, "_LINES_OF", batch_staging._LINES_OF_BEFORE_14)


def test_every_line_keeps_its_number_whatever_chunk_and_path_it_takes(
    database_url, tmp_path, small_chunks, line_splitting
):
    lines = [
        line("E1"),
        b"",
        line("E3"),
        b"   ",
        line("E5"),
        b"\\.",  # COPY's old end-of-data marker: a line like any other
        b'{"event_id": "E7\x1e"}',  # the quote byte of COPY's format
        b'{"event_id": "E8\x1e"}',
        line("E9", url="https://shop.example.com/caf\u00e9").replace(b"\\u00e9", b"\xe9"),
        b"{not json",
        line("E11"),
        line("E12"),
    ]
    write(tmp_path, "web/events/day.jsonl", b"\n".join(lines))  # no newline after the last

    result = run_ingest(database_url, tmp_path)

    counts = result.counts
    assert (counts.rows_read, counts.rows_loaded, counts.rows_rejected) == (10, 5, 5)
    assert table(database_url, "select _row_number, event_id from raw.web_events order by 1") == [
        (1, "E1"),
        (3, "E3"),
        (5, "E5"),
        (11, "E11"),
        (12, "E12"),
    ]
    rejects = dict(
        table(database_url, "select _row_number, _reject_reason from raw.web_events_rejects")
    )
    assert rejects == {
        6: 'the line is not valid JSON (Token "\\" is invalid.)',
        7: rejects[7],
        8: rejects[8],
        9: "the line is not UTF-8: byte 0xE9 (latin-1 or another encoding?)",
        10: 'the line is not valid JSON (Token "not" is invalid.)',
    }
    assert rejects[7].startswith("the line is not valid JSON (Character with value 0x1e")
    assert rejects[8] == rejects[7]


def test_quote_bytes_of_the_copy_format_cost_only_the_lines_holding_them(database_url, tmp_path):
    quoted = [b'{"event_id": "E2\x1e"}', b'{"event_id": "E3\x1e"}']  # COPY reads one row
    write(tmp_path, "web/events/day.jsonl", b"\n".join([line("E1"), *quoted, line("E4")]) + b"\n")

    result = run_ingest(database_url, tmp_path)

    assert (result.counts.rows_read, result.counts.rows_loaded) == (4, 2)
    assert table(database_url, "select _row_number, event_id from raw.web_events order by 1") == [
        (1, "E1"),
        (4, "E4"),
    ]
    assert [
        n for (n,) in table(database_url, "select _row_number from raw.web_events_rejects")
    ] == [
        2,
        3,
    ]


def test_a_file_with_windows_line_ends_loads_every_line(database_url, tmp_path):
    body = b"\r\n".join([line("E1"), line("E2"), b"", line("E4")]) + b"\r\n"
    write(tmp_path, "web/events/windows.jsonl", body)

    result = run_ingest(database_url, tmp_path)

    assert (result.counts.rows_read, result.counts.rows_loaded) == (3, 3)
    assert table(database_url, "select _row_number, url from raw.web_events order by 1") == [
        (1, "https://shop.example.com/"),
        (2, "https://shop.example.com/"),
        (4, "https://shop.example.com/"),
    ]


def test_a_broken_line_of_a_windows_file_is_kept_without_its_carriage_return(
    database_url, tmp_path
):
    body = b"\r\n".join([line("E1"), b"{not json", line("E3")]) + b"\r\n"
    write(tmp_path, "web/events/windows.jsonl", body)

    result = run_ingest(database_url, tmp_path)

    assert (result.counts.rows_read, result.counts.rows_loaded) == (3, 2)
    assert table(database_url, "select _row_number, _raw from raw.web_events_rejects") == [
        (2, "{not json")
    ]


def test_values_are_read_as_the_server_reads_them(database_url, tmp_path):
    event = web_event(
        "E1", type="order_completed", order_id="O1", revenue=129.90, customer_id=42, currency=None
    )
    event["properties"] = {"items": [{"sku": "P1", "qty": 2}], "coupon": "  "}
    write(tmp_path, "web/events/day.jsonl", json.dumps(event) + "\n")

    run_ingest(database_url, tmp_path)

    [row] = table(
        database_url,
        "select customer_id, revenue, currency, properties::jsonb from raw.web_events",
    )
    assert row == ("42", "129.9", None, event["properties"])


def test_the_expectations_count_the_rows_the_split_rejected_for_each_rule(database_url, tmp_path):
    write(
        tmp_path,
        "web/events/day.jsonl",
        b"\n".join(
            [
                line("E1"),
                b"{not json",
                b'["E3"]',
                line(""),
                line("E5", type="teleport"),
                line("E6", type="teleport", occurred_at="yesterday"),
            ]
        ),
    )
    write(tmp_path, "web/events/next_day.jsonl", line("E7") + b"\n")

    result = run_ingest(database_url, tmp_path)
    check, reconcile = materialize_result(result).check_results

    assert check.check_name == EXPECTATIONS_CHECK and not check.passed
    observed = {name: value.value for name, value in check.metadata.items()}
    assert observed == {
        "rows_rejected": 5,
        "the line is JSON PostgreSQL can store": 1,
        "the line is a JSON object": 1,
        "event_id is present": 1,
        "occurred_at is present": 0,
        "type is present": 0,
        "event_id, anonymous_id, customer_id, product_id, order_id are at most 200 bytes": 0,
        "type is one of page_view, product_view, add_to_cart, remove_from_cart, "
        "checkout_started, order_completed, login": 2,
        "occurred_at is an ISO 8601 timestamp with a UTC offset": 1,
        "revenue is a decimal number": 0,
        "properties is JSON PostgreSQL can store": 0,
    }
    assert reconcile.check_name == RECONCILE_CHECK and reconcile.passed


def test_a_clean_file_meets_every_expectation(database_url, tmp_path):
    write(tmp_path, "web/events/day.jsonl", line("E1") + b"\n" + line("E2") + b"\n")

    check, _ = materialize_result(run_ingest(database_url, tmp_path)).check_results

    assert check.passed
    assert {value.value for value in check.metadata.values()} == {0}
