"""The messaging schema is kept by Alembic: a fresh database, a datamart made before
migrations and several processes at once all end at the newest revision, rows intact."""

from __future__ import annotations

import multiprocessing
import os
import subprocess
import sys
from pathlib import Path

import psycopg

from warehouse.messaging_schema import Migration, head_revision, migrate_messaging

TOUCHPOINT = str(Path(sys.executable).with_name("touchpoint"))
SCHEMA_BEFORE_MIGRATIONS = Path(__file__).with_name("messaging_schema_v0.sql")

A_DECIDED_AND_SENT_MESSAGE = """
insert into messaging.occurrences (campaign, occurrence_key, customer_id, occurred_at,
    expires_at, as_of, outcome, channel)
values ('birthday', 'c1:2026', 'c1', now(), now() + interval '1 day', now(), 'sent', 'email');
insert into messaging.outbox (message_id, campaign, occurrence_key, customer_id, channel,
    recipient, locale, subject, send_after, expires_at, status, attempted_at)
values ('00000000-0000-0000-0000-000000000001', 'birthday', 'c1:2026', 'c1', 'email',
    'c1@example.com', 'fr', 'Bon anniversaire', now(), now() + interval '1 day', 'sent', now());
insert into messaging.message_events (message_id, customer_id, channel, type, occurred_at)
values ('00000000-0000-0000-0000-000000000001', 'c1', 'email', 'opened', now());
"""

# Every column, constraint and index of the schema, as PostgreSQL itself describes them.
SCHEMA_SHAPE = """
select 'column', table_name || '.' || column_name, data_type || ' ' || is_nullable
    || ' ' || coalesce(column_default, '')
from information_schema.columns where table_schema = 'messaging'
union all
select 'constraint', conrelid::regclass::text, pg_get_constraintdef(oid)
from pg_constraint where connamespace = 'messaging'::regnamespace
union all
select 'index', indexname, indexdef from pg_indexes where schemaname = 'messaging'
order by 1, 2, 3
"""


def schema_shape(url: str) -> list[tuple]:
    with psycopg.connect(url) as conn:
        return conn.execute(SCHEMA_SHAPE).fetchall()


def create_schema_before_migrations(url: str) -> None:
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(SCHEMA_BEFORE_MIGRATIONS.read_text())
        conn.execute(A_DECIDED_AND_SENT_MESSAGE)


def test_a_fresh_database_migrates_to_the_newest_revision(database_url):
    migration = migrate_messaging(database_url)

    assert migration == Migration(before=None, after=head_revision())
    shape = schema_shape(database_url)
    tables = {name.split(".")[0] for kind, name, _ in shape if kind == "column"}
    assert {"occurrences", "outbox", "vouchers", "campaigns", "message_events"} <= tables


def test_migrating_a_migrated_database_changes_nothing(database_url):
    migrate_messaging(database_url)
    shape = schema_shape(database_url)

    migration = migrate_messaging(database_url)

    assert migration == Migration(before=head_revision(), after=head_revision())
    assert schema_shape(database_url) == shape


def test_a_datamart_made_before_migrations_is_upgraded_in_place_with_its_rows(database_url):
    create_schema_before_migrations(database_url)

    migration = migrate_messaging(database_url)

    assert migration == Migration(before=None, after=head_revision())
    with psycopg.connect(database_url) as conn:
        assert conn.execute(
            "select o.status, o.subject, e.type from messaging.outbox o "
            "join messaging.message_events e using (message_id)"
        ).fetchall() == [("sent", "Bon anniversaire", "opened")]
        assert conn.execute("select outcome from messaging.occurrences").fetchall() == [("sent",)]


def test_an_upgraded_datamart_has_the_schema_of_a_fresh_one(database_url, make_database):
    fresh = make_database("fresh")
    create_schema_before_migrations(database_url)

    migrate_messaging(database_url)
    migrate_messaging(fresh)

    assert schema_shape(database_url) == schema_shape(fresh)


def migrate_when_all_are_ready(url: str, ready, results) -> None:
    """One process of several: migrate the moment all are started, report what it found."""
    ready.wait()
    results.put(migrate_messaging(url))


def test_processes_migrating_at_once_all_succeed_and_one_does_the_work(database_url):
    spawn = multiprocessing.get_context("spawn")
    ready, results = spawn.Barrier(3), spawn.Queue()
    processes = [
        spawn.Process(target=migrate_when_all_are_ready, args=(database_url, ready, results))
        for _ in range(3)
    ]

    for process in processes:
        process.start()
    migrations = [results.get(timeout=30) for _ in processes]
    for process in processes:
        process.join()

    assert [process.exitcode for process in processes] == [0, 0, 0]
    assert sorted(str(migration.before) for migration in migrations) == sorted(
        ["None", head_revision(), head_revision()]
    )
    assert {migration.after for migration in migrations} == {head_revision()}


def test_db_migrate_from_any_folder_prints_the_revision_before_and_after(database_url, tmp_path):
    create_schema_before_migrations(database_url)
    environment = os.environ | {"TOUCHPOINT_DATABASE_URL": database_url}

    def db_migrate() -> str:
        done = subprocess.run(
            [TOUCHPOINT, "db", "migrate"],
            cwd=tmp_path,
            env=environment,
            capture_output=True,
            text=True,
            check=True,
        )
        return done.stdout.strip()

    assert db_migrate() == f"messaging schema migrated: unversioned -> {head_revision()}"
    assert db_migrate() == f"messaging schema already at revision {head_revision()}"
