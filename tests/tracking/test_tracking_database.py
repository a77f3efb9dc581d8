"""The tracking service and its database: a restarted database is no failed request, and a
database that does not answer is a 503 within the configured wait, never a hang or a 500."""

from __future__ import annotations

import uuid
from dataclasses import replace

import httpx
import psycopg
from psycopg import sql

from tests.tracking.live_service import running_service


def test_a_request_after_the_database_dropped_every_connection_is_answered(
    service_config, pg_server
):
    with running_service(service_config) as url, httpx.Client(base_url=url) as client:
        assert client.get("/health").status_code == 200
        terminate_connections(pg_server, service_config.database_url.rsplit("/", 1)[-1])

        assert client.get("/health").status_code == 200


def test_a_database_that_is_gone_is_503_within_the_configured_wait(service_config, pg_server):
    name = f"tp_gone_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(pg_server.url("postgres"), autocommit=True) as admin:
        admin.execute(sql.SQL("create database {}").format(sql.Identifier(name)))
    config = replace(service_config, database_url=pg_server.url(name), database_timeout=1.0)
    with running_service(config) as url, httpx.Client(base_url=url, timeout=10) as client:
        with psycopg.connect(pg_server.url("postgres"), autocommit=True) as admin:
            admin.execute(sql.SQL("drop database {} with (force)").format(sql.Identifier(name)))

        response = client.get("/health")

    assert response.status_code == 503
    assert response.json() == {"error": "the database is unavailable; try again"}


def terminate_connections(pg_server, database: str) -> None:
    with psycopg.connect(pg_server.url("postgres"), autocommit=True) as admin:
        admin.execute(
            "select pg_terminate_backend(pid) from pg_stat_activity where datname = %s",
            (database,),
        )
