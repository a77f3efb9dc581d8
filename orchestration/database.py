"""Which PostgreSQL the datamart lives in, and keeping it up for as long as it is needed.

With ``TOUCHPOINT_DATABASE_URL`` set, that server is used as it is. Without it, the embedded
server under ``$TOUCHPOINT_HOME/pg`` holds the database ``touchpoint``; its URL is known before
the server starts (the port is chosen once and kept), so definitions load without starting it.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import psycopg
from psycopg import sql

from orchestration.embedded_postgres import EmbeddedPostgres
from orchestration.settings import Settings

EMBEDDED_DATABASE = "touchpoint"


def embedded_server(settings: Settings) -> EmbeddedPostgres:
    return EmbeddedPostgres(settings.home)


def database_url(settings: Settings) -> str:
    if settings.database_url:
        return settings.database_url
    return embedded_server(settings).url(EMBEDDED_DATABASE)


def ensure_database(server_url: str, name: str) -> None:
    """Create database ``name`` on the server behind ``server_url`` if it does not exist."""
    with psycopg.connect(server_url, autocommit=True) as conn:
        exists = conn.execute("select 1 from pg_database where datname = %s", (name,)).fetchone()
        if not exists:
            conn.execute(sql.SQL("create database {}").format(sql.Identifier(name)))


def recreate_database(server_url: str, name: str) -> None:
    """Drop database ``name`` (closing its sessions) and create it empty."""
    with psycopg.connect(server_url, autocommit=True) as conn:
        conn.execute(
            sql.SQL("drop database if exists {} with (force)").format(sql.Identifier(name))
        )
        conn.execute(sql.SQL("create database {}").format(sql.Identifier(name)))


def ensure_running(server: EmbeddedPostgres) -> bool:
    """Start the embedded server (and its database) if down; True when this call started it."""
    started = server.start()
    ensure_database(server.url("postgres"), EMBEDDED_DATABASE)
    return started


@contextlib.contextmanager
def datamart_available(settings: Settings) -> Iterator[str]:
    """Yield the datamart URL; an embedded server is kept up meanwhile and stopped after the
    last user leaves, unless someone ran ``touchpoint db start``."""
    if settings.database_url:
        yield settings.database_url
        return
    server = embedded_server(settings)
    with server.running():
        ensure_database(server.url("postgres"), EMBEDDED_DATABASE)
        yield database_url(settings)
