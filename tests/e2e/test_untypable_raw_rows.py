"""Rows put straight into raw that staging's casts refuse (a web event at an offset of +99:99,
a till line numbered past the integer range) are left out of staging with a warning naming
the source and the count, and everything else runs: the birthday mail goes out, the run
succeeds, and so does the next one. Fixed and stamped as loaded again, a row reaches staging in
the next run; fixed in place, with `touchpoint run --full-refresh` (an incremental build takes
only rows loaded since the last)."""

from __future__ import annotations

import psycopg
import pytest

from tests.e2e.raw_rows_runs import run_twice_with_raw_rows, touchpoint_run

BAD_OCCURRED_AT = "2026-11-28T10:00:00+99:99"
BAD_LINE_NUMBER = "99999999999999999999999"


def land(landing, today, local):
    """Only the birthday customer."""


def insert(conn, today):
    conn.execute(
        "insert into raw.web_events (event_id, occurred_at, anonymous_id, customer_id, type, "
        "_source, _row_number) values ('E-BAD', %s, 'a1', 'BD1', 'login', 'by hand', 7)",
        (BAD_OCCURRED_AT,),
    )
    conn.execute(
        "insert into raw.pos_transactions (transaction_id, line_number, store_id, customer_id, "
        "product_id, quantity, unit_price, currency, purchased_at, _source, _row_number) "
        "values ('T-BAD', %s, 'S1', 'BD1', 'P1', '1', '9.90', 'EUR', %s, 'by hand', 3)",
        (BAD_LINE_NUMBER, f"{today}T10:00:00+00:00"),
    )


@pytest.fixture(scope="module")
def runs(pg_server, dbt_manifest, tmp_path_factory):
    return run_twice_with_raw_rows(pg_server, tmp_path_factory, "e2e_untypable_rows", land, insert)


def test_the_birthday_mail_is_sent_and_both_runs_succeed(runs):
    [mail] = runs.mails()

    assert mail["X-Touchpoint-Campaign"] == "birthday"
    assert runs.first.returncode == 0, runs.first.stderr[-3000:]
    assert runs.second.returncode == 0, runs.second.stderr[-3000:]


@pytest.mark.parametrize("source", ["web_events", "pos_transactions"])
def test_the_warning_names_the_source_and_how_many_rows_were_left_out(runs, source):
    warning = f"Warning in test {source}_rows_left_out_of_staging"

    for run in (runs.first, runs.second):
        assert warning in run.stdout
        after = run.stdout.split(warning, 1)[1]
        assert after.split("\n", 2)[1] == "Got 1 result, configured to warn if != 0"


def test_staging_holds_everything_but_the_rows_left_out(runs):
    with psycopg.connect(runs.url) as conn:
        events = conn.execute("select count(*) from staging.stg_web__events").fetchone()
        lines = conn.execute("select count(*) from staging.stg_pos__transaction_lines").fetchone()
        customers = conn.execute("select customer_id from marts.dim_customers").fetchall()

    assert (events, lines, customers) == ((0,), (0,), [("BD1",)])


def test_each_file_the_ingest_loaded_is_covered_once_from_its_registry_and_other_rows_are_judged(
    runs,
):
    """The coverage models take an ingested file from its registry entry, which holds its rows'
    `_source` and `_loaded_at`; rows of another loader are judged row by row."""
    with psycopg.connect(runs.url) as conn:
        registry = conn.execute(
            "select path, ingested_at, rows_loaded from raw._landing_files "
            "where source = 'crm_customers' and status = 'loaded'"
        ).fetchall()
        covered = conn.execute(
            "select _source, _loaded_at, rows_read from staging.stg_crm__customers_coverage "
            "where rows_left_out = 0"
        ).fetchall()
        by_hand = conn.execute(
            "select rows_read, rows_left_out from staging.stg_web__events_coverage "
            "where _source = 'by hand'"
        ).fetchall()

    assert registry
    assert sorted(covered) == sorted(registry)
    assert by_hand == [(1, 1)]


def test_a_row_fixed_and_loaded_again_reaches_staging_in_the_next_run_and_is_no_longer_listed(runs):
    with psycopg.connect(runs.url, autocommit=True) as conn:
        conn.execute(
            "update raw.web_events set occurred_at = '2026-11-28T10:00:00+01:00', "
            "_loaded_at = now() where event_id = 'E-BAD'"
        )
    next_run = touchpoint_run(runs.env)

    with psycopg.connect(runs.url) as conn:
        events = conn.execute("select event_id from staging.stg_web__events").fetchall()
    assert next_run.returncode == 0, next_run.stderr[-3000:]
    assert "Warning in test web_events_rows_left_out_of_staging" not in next_run.stdout
    assert events == [("E-BAD",)]


def test_rows_fixed_in_place_reach_staging_with_a_full_refresh(runs):
    with psycopg.connect(runs.url, autocommit=True) as conn:
        conn.execute(
            "update raw.web_events set occurred_at = '2026-11-28T10:00:00+01:00' "
            "where event_id = 'E-BAD'"
        )
        conn.execute("update raw.pos_transactions set line_number = '1' where _source = 'by hand'")
    refreshed = touchpoint_run(runs.env, "--full-refresh")

    with psycopg.connect(runs.url) as conn:
        events = conn.execute("select event_id from staging.stg_web__events").fetchall()
        lines = conn.execute(
            "select line_number from staging.stg_pos__transaction_lines"
        ).fetchall()
    assert refreshed.returncode == 0, refreshed.stderr[-3000:]
    assert "Warning in test web_events_rows_left_out_of_staging" not in refreshed.stdout
    assert (events, lines) == ([("E-BAD",)], [(1,)])
