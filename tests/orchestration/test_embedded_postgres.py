"""The embedded PostgreSQL: started on demand, stopped only by whoever started it."""

from __future__ import annotations

import shutil
import uuid

import psycopg
import pytest

from orchestration.embedded_postgres import EmbeddedPostgres
from tests.conftest import TEST_HOME


@pytest.fixture
def pg_root():
    """Under the project's own folder: as root, the server's user needs its parents readable."""
    root = TEST_HOME / "scratch" / uuid.uuid4().hex[:8]
    yield root
    shutil.rmtree(root, ignore_errors=True)


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
