"""The raw layer's DDL, run at every ingest and every start of the tracking service."""

from __future__ import annotations

import psycopg

from warehouse.raw_schema import ensure_raw_schema


def test_ensuring_the_schema_again_does_not_wait_for_an_ingest_writing_events(database_url):
    """An ingest holds its transaction open while it loads; the collector must not queue behind
    a schema check that waits for it."""
    with psycopg.connect(database_url, autocommit=True) as conn:
        ensure_raw_schema(conn)
    with psycopg.connect(database_url) as ingest, psycopg.connect(database_url) as other:
        ingest.execute("insert into raw.web_events (_source, _row_number) values ('ingest', 1)")
        other.execute("set lock_timeout = '2s'")
        other.commit()

        ensure_raw_schema(other)  # raised LockNotAvailable when it (re)created an index

        ingest.rollback()
