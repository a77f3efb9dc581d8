"""The dbt project on its own: it parses without a database, and `dbt build` on crafted raw rows
gives the marts docs/architecture.md describes (dedupe, identity, time zones, as-of replays).

dbt runs as a subprocess with its own target and log folders, so these tests never touch the
manifest the Dagster definitions read from dbt_project/target.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from assets.resources import dbt_env_for
from models.landing import LANDING_SOURCES
from warehouse.messaging_schema import migrate_messaging
from warehouse.raw_schema import ensure_raw_schema

DBT_PROJECT_DIR = Path(__file__).resolve().parents[2] / "dbt_project"
RAW_ROWS = Path(__file__).with_name("raw_rows.sql")
AS_OF = "2026-11-23T12:00:00+00:00"


def dbt(args: list[str], env: dict[str, str], work: Path) -> subprocess.CompletedProcess[str]:
    executable = Path(sys.executable).with_name("dbt")
    return subprocess.run(
        [
            str(executable),
            *args,
            "--target-path",
            str(work / "target"),
            "--log-path",
            str(work / "logs"),
        ],
        cwd=DBT_PROJECT_DIR,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
    )


def dbt_env(url: str) -> dict[str, str]:
    return {
        "DBT_PROFILES_DIR": str(DBT_PROJECT_DIR),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        **dbt_env_for(url),
    }


def fresh_database_with_raw_rows(pg_server, name: str) -> str:
    with psycopg.connect(pg_server.url("postgres"), autocommit=True) as conn:
        conn.execute(f"drop database if exists {name} with (force)")
        conn.execute(f"create database {name}")
    url = pg_server.url(name)
    migrate_messaging(url)
    with psycopg.connect(url, autocommit=True) as conn:
        ensure_raw_schema(conn)
        conn.execute(RAW_ROWS.read_text())
    return url


@pytest.fixture(scope="module")
def datamart(pg_server, tmp_path_factory) -> Iterator[psycopg.Connection]:
    """The crafted rows built at the tests' as-of instant; the build itself must pass."""
    url = fresh_database_with_raw_rows(pg_server, "dbt_project_test")
    work = tmp_path_factory.mktemp("dbt")
    built = dbt(
        ["build", "--vars", json.dumps({"as_of": AS_OF})],
        dbt_env(pg_server.url("dbt_project_test")),
        work,
    )
    assert built.returncode == 0, built.stdout[-4000:]
    with psycopg.connect(url) as conn:
        yield conn


def rows(conn: psycopg.Connection, query: str) -> list[tuple]:
    return conn.execute(query).fetchall()


@pytest.fixture(scope="module")
def manifest(tmp_path_factory) -> dict:
    """`dbt parse` pointed at a port nothing listens on (9, discard): Dagster reads the manifest
    at import, before any database need be up."""
    work = tmp_path_factory.mktemp("parse")
    parsed = dbt(
        ["parse", "--no-partial-parse"], dbt_env("postgresql://postgres@127.0.0.1:9/nowhere"), work
    )
    assert parsed.returncode == 0, parsed.stdout[-4000:]
    return json.loads((work / "target" / "manifest.json").read_text())


def test_the_project_parses_with_no_database_running(manifest):
    assert {node["name"] for node in manifest["nodes"].values()} >= {
        "dim_customers",
        "dim_products",
        "fct_orders",
        "fct_order_lines",
        "fct_web_events",
    }


def test_every_raw_table_is_a_source_mapped_onto_its_ingest_asset(manifest):
    raw_sources = {s["name"]: s for s in manifest["sources"].values() if s["source_name"] == "raw"}
    # Besides the raw tables, the ingest's registry of files, which every ingest asset writes.
    assert raw_sources.pop("_landing_files")["config"]["meta"] == {}
    asset_keys = {
        name: source["config"]["meta"]["dagster"]["asset_key"]
        for name, source in raw_sources.items()
    }
    assert asset_keys == {s.raw_table: ["raw", s.raw_table] for s in LANDING_SOURCES}


def test_the_latest_crm_update_wins_then_the_latest_load(datamart):
    assert rows(
        datamart,
        "select customer_id, last_name, email from marts.dim_customers "
        "where customer_id in ('c1', 'c4') order by 1",
    ) == [
        ("c1", "Martin", "alice@example.com"),
        ("c4", "Second", "second@example.com"),
    ]


def test_contacts_are_normalised_and_flagged(datamart):
    assert rows(
        datamart,
        "select customer_id, phone, phone_is_valid, email_is_valid, can_email, "
        "can_sms from marts.dim_customers where customer_id in ('c2', 'c3') "
        "order by 1",
    ) == [
        ("c2", "+33612345678", True, False, False, True),
        ("c3", "0612345678", False, True, True, False),
    ]


def test_anonymous_browsing_before_a_login_is_the_customers(datamart):
    assert rows(
        datamart,
        "select event_id, customer_id from marts.fct_web_events "
        "where anonymous_id = 'a1' order by occurred_at, event_id",
    ) == [
        ("e1", "c1"),
        ("e2", "c1"),
        ("e3", "c1"),
        ("e4", "c1"),
        ("e5", "c1"),
        ("e6", "c1"),
        ("e7", "c1"),
    ]


def test_a_shared_device_follows_whoever_identified_last(datamart):
    assert rows(
        datamart,
        "select event_id, customer_id from marts.fct_web_events "
        "where anonymous_id = 'a2' order by occurred_at",
    ) == [
        ("s1", "c1"),
        ("s2", "c1"),
        ("s3", "c1"),
        ("s4", "c2"),
        ("s5", "c2"),
    ]


def test_store_orders_resolve_by_customer_then_loyalty_card(datamart):
    assert rows(
        datamart,
        "select order_key, customer_id, identified_by, revenue::text "
        "from marts.fct_orders where channel = 'store' order by 1",
    ) == [
        ("store-T1", "c2", "customer_id", "245"),
        ("store-T2", "c6", "loyalty_card_id", "50"),
        ("store-T3", None, None, "20"),
        ("store-T4", "c3", "loyalty_card_id", "20"),
    ]


def test_a_web_order_counts_once_with_its_items_and_vouchers(datamart):
    assert rows(
        datamart,
        "select order_key, revenue::text, voucher_codes, lines_count "
        "from marts.fct_orders where channel = 'web' order by 1",
    ) == [
        ("web-o1", "90.00", "WELCOME10", 2),
        ("web-o2", "120", None, 1),
        ("web-o3", None, "A,B", 1),
    ]


def test_nothing_after_the_as_of_instant_is_in_the_marts(datamart):
    assert rows(datamart, "select count(*) from marts.fct_web_events where event_id = 'f1'") == [
        (0,)
    ]
    assert rows(
        datamart, f"select count(*) from marts.fct_orders where ordered_at > '{AS_OF}'"
    ) == [(0,)]


def test_time_zones_fall_back_to_the_country_then_utc(datamart):
    assert rows(
        datamart,
        "select customer_id, timezone, timezone_source from marts.dim_customers "
        "where customer_id in ('c2', 'c3', 'c4') order by 1",
    ) == [
        ("c2", "Europe/Paris", "country"),
        ("c3", "UTC", "default"),
        ("c4", "Europe/Berlin", "customer"),
    ]


def test_profile_age_and_lifecycle_are_as_of_the_local_date(datamart):
    assert rows(
        datamart,
        "select customer_id, age, orders_count, lifecycle_stage "
        "from marts.dim_customers order by 1",
    ) == [
        ("c1", 36, 2, "new"),
        ("c2", 41, 2, "lapsed"),
        ("c3", 26, 1, "churned"),
        ("c4", None, 0, "prospect"),
        ("c5", 15, 0, "prospect"),
        ("c6", 56, 1, "new"),
    ]


def test_a_replay_of_the_past_sees_only_what_had_happened(pg_server, tmp_path):
    url = fresh_database_with_raw_rows(pg_server, "dbt_project_replay")
    replayed = dbt(
        [
            "build",
            "--select",
            "+dim_customers",
            "--indirect-selection",
            "cautious",
            "--vars",
            json.dumps({"as_of": "2026-11-19T00:00:00+00:00"}),
        ],
        dbt_env(pg_server.url("dbt_project_replay")),
        tmp_path,
    )
    assert replayed.returncode == 0, replayed.stdout[-4000:]
    with psycopg.connect(url) as conn:
        assert rows(
            conn,
            "select customer_id, age, orders_count, lifecycle_stage "
            "from marts.dim_customers where customer_id in ('c1', 'c6') "
            "order by 1",
        ) == [("c1", 35, 0, "prospect"), ("c6", 56, 1, "new")]
