"""Shared fixtures: one embedded PostgreSQL for the whole test run (under .touchpoint/test, a
stable place so dbt's partial parse survives between runs), a fresh database per test that
needs one, and the dbt manifest prepared before any test imports the definitions.

Under pytest-xdist (``-n 2``) every worker is a test session of its own: the workers share the
server (``EmbeddedPostgres.running`` counts them as holders), but each has its own session
database and its own dbt target folder, so no worker reads a manifest another is writing, and
every subprocess it starts (``touchpoint run``, ``ui``) inherits that folder."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from psycopg import sql

ROOT = Path(__file__).resolve().parent.parent
# TOUCHPOINT_TEST_HOME lets two test runs on one machine keep separate servers and databases.
TEST_HOME = Path(os.environ.get("TOUCHPOINT_TEST_HOME") or ROOT / ".touchpoint" / "test")

os.environ["TOUCHPOINT_HOME"] = str(TEST_HOME)
# "gw0", "gw1"… under pytest-xdist, unset in a run of one process.
WORKER = os.environ.get("PYTEST_XDIST_WORKER")
if WORKER:
    os.environ["DBT_TARGET_PATH"] = f"target/{WORKER}"
os.environ.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
os.environ.setdefault("DO_NOT_TRACK", "1")

from orchestration.embedded_postgres import EmbeddedPostgres  # noqa: E402

SESSION_DATABASE = f"touchpoint_test_{WORKER}" if WORKER else "touchpoint_test"


# Folders whose modules build the datamart with dbt, a minute or more each.
DATAMART_BUILDING_FOLDERS = ("dbt", "e2e")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The modules that build the datamart first, the rest in their usual order. Under
    pytest-xdist each worker takes a whole file at a time (``--dist loadfile``, with
    ``--no-loadscope-reorder`` so this order is the order files are handed out): started early,
    the long files overlap, and the many short ones after them even out the end of the run."""
    items.sort(key=lambda item: item.path.parent.name not in DATAMART_BUILDING_FOLDERS)


@pytest.fixture(scope="session")
def pg_server() -> Iterator[EmbeddedPostgres]:
    server = EmbeddedPostgres(TEST_HOME)
    with server.running():
        yield server


def _recreate(server: EmbeddedPostgres, name: str) -> str:
    with psycopg.connect(server.url("postgres"), autocommit=True) as conn:
        conn.execute(
            sql.SQL("drop database if exists {} with (force)").format(sql.Identifier(name))
        )
        conn.execute(sql.SQL("create database {}").format(sql.Identifier(name)))
    return server.url(name)


def _drop(server: EmbeddedPostgres, name: str) -> None:
    with psycopg.connect(server.url("postgres"), autocommit=True) as conn:
        conn.execute(
            sql.SQL("drop database if exists {} with (force)").format(sql.Identifier(name))
        )


@pytest.fixture(scope="session")
def session_database_url(pg_server: EmbeddedPostgres) -> str:
    """This test run's own database, recreated at the start of every run."""
    return _recreate(pg_server, SESSION_DATABASE)


@pytest.fixture
def database_url(pg_server: EmbeddedPostgres) -> Iterator[str]:
    """A database of this test's own, dropped afterwards."""
    name = f"tp_{uuid.uuid4().hex[:12]}"
    url = _recreate(pg_server, name)
    yield url
    _drop(pg_server, name)


@pytest.fixture
def messaging_conn(database_url: str) -> Iterator[psycopg.Connection]:
    """An autocommit connection to this test's database, with the messaging schema in it."""
    from warehouse.messaging_schema import migrate_messaging

    migrate_messaging(database_url)
    with psycopg.connect(database_url, autocommit=True) as conn:
        yield conn


@pytest.fixture
def make_database(pg_server: EmbeddedPostgres) -> Iterator:
    """A factory for extra databases (say, a CRM next to the datamart)."""
    names: list[str] = []

    def make(prefix: str) -> str:
        names.append(f"{prefix}_{uuid.uuid4().hex[:8]}")
        return _recreate(pg_server, names[-1])

    yield make
    for name in names:
        _drop(pg_server, name)


@pytest.fixture(scope="session")
def dbt_manifest(session_database_url: str) -> Path:
    from assets.dbt_project import DBT_PROJECT
    from orchestration.dbt_manifest import prepare_manifest

    prepare_manifest(session_database_url)
    return DBT_PROJECT.manifest_path


@pytest.fixture(scope="session")
def moto_endpoint() -> Iterator[str]:
    """moto's server on loopback; boto3 finds it through AWS_ENDPOINT_URL, as in production."""
    import socket

    from moto.server import ThreadedMotoServer

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    patch = pytest.MonkeyPatch()
    for name, value in {
        "AWS_ENDPOINT_URL": endpoint,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "eu-west-1",
    }.items():
        patch.setenv(name, value)
    yield endpoint
    patch.undo()
    server.stop()
