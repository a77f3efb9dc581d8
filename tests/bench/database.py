"""A fresh database per bench on the bench's embedded PostgreSQL."""

from __future__ import annotations

import psycopg

from orchestration.embedded_postgres import EmbeddedPostgres


def fresh_database(server: EmbeddedPostgres, name: str) -> str:
    with psycopg.connect(server.url("postgres"), autocommit=True) as conn:
        conn.execute(f"drop database if exists {name} with (force)")
        conn.execute(f"create database {name}")
    return server.url(name)
