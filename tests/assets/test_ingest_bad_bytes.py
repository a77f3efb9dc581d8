"""A bad byte costs its own row, never the file and never the run: a NUL (as a raw byte or as
``\\u0000`` in JSON), a byte that is not UTF-8, or a lone surrogate escape rejects the row it is
in, with the reason, and every other row of the file loads."""

from __future__ import annotations

import json
import sqlite3
from datetime import date

import psycopg

from assets.ingest import ingest
from assets.resources import CrmDatabase, LandingZoneResource, Warehouse
from models.landing import CRM_CUSTOMERS, CRM_VEHICLES, POS_TRANSACTIONS, WEB_EVENTS
from tests.assets.landing_files import (
    csv_text,
    customer,
    customers_csv,
    till_line,
    vehicle,
    web_event,
    write,
)


def run_ingest(url: str, landing, source, crm_url: str = ""):
    return ingest(
        Warehouse(url=url),
        LandingZoneResource(location=str(landing)),
        CrmDatabase(url=crm_url),
        source,
    )


def rejects(url: str, table: str) -> dict[int, tuple[str, str]]:
    with psycopg.connect(url) as conn:
        rows = conn.execute(
            f"select _row_number, _reject_reason, _raw from raw.{table}_rejects"
        ).fetchall()
    return {number: (reason, raw) for number, reason, raw in rows}


def loaded(url: str, table: str, key: str) -> list[str]:
    with psycopg.connect(url) as conn:
        return [r[0] for r in conn.execute(f"select {key} from raw.{table} order by 1").fetchall()]


def csv_with_bad_bytes(*rows: bytes) -> bytes:
    """Customers C1…Cn, each row's first name replaced by the bytes given (None keeps Ann)."""
    lines = customers_csv(*(customer(f"C{i}") for i in range(1, len(rows) + 1))).encode()
    header, *body = lines.splitlines(keepends=True)
    return header + b"".join(
        line.replace(b",Ann,", b"," + row + b",") if row else line
        for line, row in zip(body, rows, strict=True)
    )


def test_a_nul_byte_in_a_csv_row_rejects_that_row_and_the_others_load(database_url, tmp_path):
    body = csv_with_bad_bytes(b"", b"An\x00n", b"", b'"Quoted \x00 NUL"', b"")
    write(tmp_path, "crm/customers/export.csv", body)

    first = run_ingest(database_url, tmp_path, CRM_CUSTOMERS)
    again = run_ingest(database_url, tmp_path, CRM_CUSTOMERS)

    counts = first.counts
    assert (counts.rows_read, counts.rows_loaded, counts.rows_rejected) == (5, 3, 2)
    assert not first.quarantined and again.skipped_files == 1
    assert loaded(database_url, "crm_customers", "customer_id") == ["C1", "C3", "C5"]
    bad = rejects(database_url, "crm_customers")
    assert set(bad) == {2, 4}
    assert bad[2][0] == "the row holds a NUL byte, which PostgreSQL text cannot store"
    assert "An\u2400n" in bad[2][1] and "Quoted \u2400 NUL" in bad[4][1]


def test_a_latin1_byte_in_a_csv_row_rejects_that_row_and_the_others_load(database_url, tmp_path):
    zoe, jurgen, quote = "Zoë".encode("latin-1"), "Jürgen".encode("latin-1"), b"\x93Al\x94"
    write(tmp_path, "crm/customers/export.csv", csv_with_bad_bytes(zoe, b"", jurgen, b"", quote))

    result = run_ingest(database_url, tmp_path, CRM_CUSTOMERS)

    assert (result.counts.rows_read, result.counts.rows_loaded) == (5, 2)
    assert not result.quarantined
    assert loaded(database_url, "crm_customers", "customer_id") == ["C2", "C4"]
    bad = rejects(database_url, "crm_customers")
    assert bad[1][0] == "the row is not UTF-8: byte 0xEB (latin-1 or another encoding?)"
    assert bad[3][0].startswith("the row is not UTF-8: byte 0xFC")
    assert bad[5][0].startswith("the row is not UTF-8: byte 0x93")
    assert "Zo\ufffd" in bad[1][1]


def test_bad_bytes_and_a_wrong_field_count_in_one_file_each_cost_their_row(database_url, tmp_path):
    rows = [till_line(n) for n in range(1, 6)]
    text = csv_text(POS_TRANSACTIONS, rows).encode()
    header, *body = text.splitlines(keepends=True)
    body[1] = body[1].replace(b"S1", b"S\xe9")
    body[2] = b"T1,3,only three\n"
    body[3] = body[3].replace(b"EUR", b"E\x00R")
    write(tmp_path, "pos/transactions/day.csv", header + b"".join(body))

    result = run_ingest(database_url, tmp_path, POS_TRANSACTIONS)

    assert (result.counts.rows_read, result.counts.rows_loaded, result.counts.rows_rejected) == (
        5,
        2,
        3,
    )
    reasons = {n: reason for n, (reason, _) in rejects(database_url, "pos_transactions").items()}
    assert reasons == {
        2: "the row is not UTF-8: byte 0xE9 (latin-1 or another encoding?)",
        3: "expected 11 fields, found 3",
        4: "the row holds a NUL byte, which PostgreSQL text cannot store",
    }


def test_bad_bytes_and_escapes_in_json_lines_each_reject_their_line(database_url, tmp_path):
    def line(event: dict) -> bytes:
        return json.dumps(event).encode()

    lines = [
        line(web_event("E1")),
        line(web_event("E2", url="https://shop.example.com/caf\u00e9")).replace(
            b"caf\\u00e9", b"caf\xe9"
        ),
        line(web_event("E3")).replace(b"anon-1", b"anon-\x001"),
        line(web_event("E4", url="https://x.example/\u0000")),
        line(web_event("E5", properties={"note": "a\u0000b"})),
        line(web_event("E6")).replace(b"anon-1", b"anon-\\ud800"),
        line(web_event("E7")).replace(b'"session_id": "s1"', b'"s": "\\udc00"'),
        line(web_event("E8", properties={"note": "\\u0000 is text", "smile": "\U0001f600"})),
        line(web_event("E9")),
    ]
    write(tmp_path, "web/events/day.jsonl", b"\n".join(lines) + b"\n")

    result = run_ingest(database_url, tmp_path, WEB_EVENTS)

    assert (result.counts.rows_read, result.counts.rows_loaded, result.counts.rows_rejected) == (
        9,
        3,
        6,
    )
    assert not result.quarantined
    assert loaded(database_url, "web_events", "event_id") == ["E1", "E8", "E9"]
    bad = rejects(database_url, "web_events")
    assert bad[2][0] == "the line is not UTF-8: byte 0xE9 (latin-1 or another encoding?)"
    assert bad[3][0] == "the line holds a NUL byte, which PostgreSQL text cannot store"
    assert "anon-\u24001" in bad[3][1]
    assert bad[4][0] == (
        "the line is JSON PostgreSQL cannot store (\\u0000 cannot be converted to text.)"
    )
    assert bad[5][0] == bad[4][0]
    assert '"url": "https://x.example/\\u0000"' in bad[4][1], "the line as it landed"
    assert bad[6][0] == (
        "the line is JSON PostgreSQL cannot store "
        "(Unicode low surrogate must follow a high surrogate.)"
    )
    assert bad[7][0] == bad[6][0]


def test_a_nul_in_a_crm_database_value_rejects_that_row_alone(database_url, tmp_path):
    crm = tmp_path / "crm.sqlite"
    with sqlite3.connect(crm) as conn:
        conn.execute(
            "create table vehicles (vehicle_id text, customer_id text, make text, model text, "
            "model_year text, delivered_at text, last_service_at text, "
            "service_interval_months text)"
        )
        for vehicle_id, model in (("V1", "Clio"), ("V2", "Cl\x00io"), ("V3", "Zoe")):
            row = vehicle(vehicle_id, "C1", delivered=date(2026, 11, 1))
            row["model"] = model
            conn.execute("insert into vehicles values (?, ?, ?, ?, ?, ?, ?, ?)", list(row.values()))

    result = run_ingest(database_url, tmp_path, CRM_VEHICLES, crm_url=f"sqlite:///{crm}")

    assert (result.counts.rows_read, result.counts.rows_loaded, result.counts.rows_rejected) == (
        3,
        2,
        1,
    )
    assert loaded(database_url, "crm_vehicles", "vehicle_id") == ["V1", "V3"]
    [(reason, raw)] = rejects(database_url, "crm_vehicles").values()
    assert reason == "model holds a NUL character (\\u0000), which PostgreSQL text cannot store"
    assert "Cl\u2400io" in raw
