"""Fixtures: a datamart with the raw and messaging schemas and a crafted marts.dim_customers,
the tracking service on a real uvicorn socket (as ``touchpoint serve`` runs it, AWS's SNS hosts
played by ``FAKE_SNS``) with an HTTP client, and moto emptied before each test that uses it."""

from __future__ import annotations

import urllib.request
import uuid
from collections.abc import Iterator

import httpx
import psycopg
import pytest
from psycopg import sql

from tests.tracking.live_service import running_service
from tests.tracking.service_rows import (
    DIM_CUSTOMERS,
    EMPTY_TABLES,
    FROM,
    SECRET,
    TOPIC,
)
from tests.tracking.signing import FAKE_SNS
from tracking.service import ServiceConfig
from warehouse.messaging_schema import migrate_messaging
from warehouse.raw_schema import ensure_raw_schema


@pytest.fixture(scope="module")
def datamart(pg_server) -> Iterator[str]:
    """One database per test module (creating one per test would cost more than the tests);
    ``conn`` empties it before each test."""
    name = f"tp_responses_{uuid.uuid4().hex[:8]}"
    admin = pg_server.url("postgres")
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(sql.SQL("create database {}").format(sql.Identifier(name)))
    url = pg_server.url(name)
    migrate_messaging(url)
    with psycopg.connect(url, autocommit=True) as conn:
        ensure_raw_schema(conn)
        conn.execute(DIM_CUSTOMERS)
    yield url
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(sql.SQL("drop database {} with (force)").format(sql.Identifier(name)))


@pytest.fixture
def conn(datamart: str) -> Iterator[psycopg.Connection]:
    with psycopg.connect(datamart, autocommit=True) as conn:
        conn.execute(EMPTY_TABLES)
        yield conn


@pytest.fixture(scope="module")
def service_config(datamart: str) -> ServiceConfig:
    """The service as configured for our SNS topic, with ``FAKE_SNS`` standing in for AWS."""
    return ServiceConfig(
        database_url=datamart,
        secret=SECRET,
        from_email=FROM,
        sns_topics=frozenset({TOPIC}),
        pool_size=2,
        fetch_from_aws=FAKE_SNS.fetch,
    )


@pytest.fixture(scope="module")
def live_service(service_config: ServiceConfig) -> Iterator[str]:
    with running_service(service_config) as url:
        yield url


@pytest.fixture
def client(live_service: str, conn: psycopg.Connection) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=live_service, follow_redirects=False, timeout=10) as client:
        yield client


@pytest.fixture
def moto_endpoint(moto_endpoint: str) -> str:
    """The session's moto server, emptied first, so each test reads only its own queues."""
    reset = urllib.request.Request(f"{moto_endpoint}/moto-api/reset", method="POST")
    urllib.request.urlopen(reset, timeout=5).close()
    return moto_endpoint
