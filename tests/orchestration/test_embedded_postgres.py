"""The embedded PostgreSQL: started on demand, stopped only by whoever started it; every
connection proves a password; the log keeps no customer data."""

from __future__ import annotations

import shutil
import stat
import uuid
from urllib.parse import urlsplit

import psycopg
import pytest

from orchestration.embedded_postgres import EmbeddedPostgres
from tests.conftest import TEST_HOME


@pytest.fixture
def pg_root():
    """A touchpoint home of its own, under the project's own folder: as root, the server's user
    needs its parents readable."""
    root = TEST_HOME / "scratch" / uuid.uuid4().hex[:8]
    yield root
    EmbeddedPostgres(root).stop()
    shutil.rmtree(root, ignore_errors=True)


def without_passfile(url: str) -> str:
    return url.split("?", 1)[0]


def test_a_block_that_starts_the_server_stops_it_and_one_that_found_it_running_does_not(pg_root):
    server = EmbeddedPostgres(pg_root)

    with server.running():
        with psycopg.connect(server.url("postgres")) as conn:
            assert conn.execute("select 1").fetchone() == (1,)
        with server.running():
            pass
        assert server.is_running()
    assert not server.is_running()


def test_the_url_is_plain_tcp_on_loopback_and_stable(pg_root):
    server = EmbeddedPostgres(pg_root)
    url = server.url("touchpoint")

    assert url.startswith("postgresql://postgres@127.0.0.1:")
    assert urlsplit(url).password is None
    assert EmbeddedPostgres(pg_root).url("touchpoint") == url


def test_the_last_user_to_leave_stops_the_server_even_if_another_started_it(pg_root):
    server = EmbeddedPostgres(pg_root)
    first = server.running()
    first.__enter__()
    with server.running():
        first.__exit__(None, None, None)
        assert server.is_running(), "the first user left while the second still needs it"
    assert not server.is_running()


def test_a_server_kept_running_by_hand_outlives_its_users(pg_root):
    server = EmbeddedPostgres(pg_root)
    server.keep_running()
    with server.running():
        pass
    assert server.is_running()
    server.stop()
    assert not server.is_running()


def test_a_connection_without_the_password_is_refused_and_one_with_it_is_let_in(pg_root):
    server = EmbeddedPostgres(pg_root)
    with server.running():
        with pytest.raises(psycopg.OperationalError, match="password"):
            psycopg.connect(without_passfile(server.url("postgres")), passfile="/dev/null")
        with pytest.raises(psycopg.OperationalError, match="password authentication failed"):
            psycopg.connect(without_passfile(server.url("postgres")), password="postgres")
        with psycopg.connect(server.url("postgres")) as conn:
            assert conn.execute("select current_user").fetchone() == ("postgres",)


def test_the_password_is_generated_once_and_kept_readable_by_its_owner_only(pg_root):
    server = EmbeddedPostgres(pg_root)
    with server.running():
        pass
    first = server.password_file.read_text()
    with server.running():
        pass

    assert server.password_file == pg_root.resolve() / "pg-password"
    assert stat.S_IMODE(server.password_file.stat().st_mode) == 0o600
    assert server.password_file.read_text() == first
    assert len(first.strip().rsplit(":", 1)[1]) >= 32


def test_a_data_directory_that_trusted_every_local_user_is_upgraded_in_place(pg_root):
    server = EmbeddedPostgres(pg_root)
    with server.running(), psycopg.connect(server.url("postgres"), autocommit=True) as conn:
        conn.execute("create database kept")
    # What the previous version left: trust for everyone, no password, no password file.
    (server.data_dir / "pg_hba.conf").write_text("host all all 127.0.0.1/32 trust\n")
    server.password_file.unlink()

    with server.running():
        with pytest.raises(psycopg.OperationalError, match="password"):
            psycopg.connect(without_passfile(server.url("kept")), passfile="/dev/null")
        with psycopg.connect(server.url("kept")) as conn:
            assert conn.execute("select current_database()").fetchone() == ("kept",)
    assert stat.S_IMODE(server.password_file.stat().st_mode) == 0o600


def test_the_server_log_keeps_no_value_of_a_rejected_row(pg_root):
    server = EmbeddedPostgres(pg_root)
    with server.running(), psycopg.connect(server.url("postgres"), autocommit=True) as conn:
        conn.execute("create table customers (id int, birth_date date)")
        with (
            pytest.raises(psycopg.errors.InvalidTextRepresentation) as copy_error,
            conn.cursor().copy("copy customers from stdin") as copy,
        ):
            copy.write(b"1\t1990-01-01\nC-RAW-ROW-7f3a\tjane@example.com\n")
        with pytest.raises(psycopg.errors.InvalidDatetimeFormat):
            conn.execute("insert into customers values (2, %s)", ("DOB-PARAM-91c2",))
        with pytest.raises(psycopg.errors.InvalidDatetimeFormat):
            conn.execute("insert into customers values (3, 'DOB-LITERAL-55e1')")
    log = server.log_file.read_text()

    assert "C-RAW-ROW-7f3a" in str(copy_error.value), "the client still hears what failed"
    assert "database system is ready to accept connections" in log
    for value in ("C-RAW-ROW-7f3a", "jane@example.com", "DOB-PARAM-91c2", "DOB-LITERAL-55e1"):
        assert value not in log
