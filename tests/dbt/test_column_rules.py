"""stg_web__events holds its column rules itself (enforce_column_rules), instead of data tests
reading the whole table at every build: event_id, occurred_at and type never NULL, type one of
the project's `web_event_types`. A raw row that breaks a rule (loaded past the ingest's rules)
fails the model's build, as the tests did, and never reaches the table; changing the accepted
types replaces the rule.

One database, built by real dbt; each test takes the raw row it adds out again.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import yaml

from models.landing import WEB_EVENT_TYPES
from tests.dbt.crafted_datamart import DBT_PROJECT_DIR, CraftedDatamart

AS_OF = "2026-11-23T12:00:00+00:00"
MODEL = "stg_web__events"
SELECT = f"+{MODEL}"  # with the coverage model it reads
RAW_EVENT = """
insert into raw.web_events (event_id, occurred_at, anonymous_id, type, product_id, _source,
    _row_number)
values (%s, %s, 'a1', %s, 'p1', 'crafted.jsonl', 1)
"""


@pytest.fixture(scope="module")
def datamart(pg_server, tmp_path_factory) -> CraftedDatamart:
    built = CraftedDatamart(pg_server, "dbt_column_rules_test", tmp_path_factory.mktemp("dbt"))
    add_event(built, "e1", "2026-11-20T10:00:00+00:00", "product_view")
    built.build(AS_OF, SELECT)
    return built


def add_event(datamart: CraftedDatamart, event_id: str, occurred_at: str | None, type_: str):
    with datamart.connect() as conn:
        conn.execute(RAW_EVENT, (event_id, occurred_at, type_))


@pytest.fixture
def raw_event(datamart) -> Iterator[callable]:
    """Adds a raw event; takes it out of raw and staging after the test."""
    added = []

    def add(event_id: str, occurred_at: str | None, type_: str) -> None:
        add_event(datamart, event_id, occurred_at, type_)
        added.append(event_id)

    yield add
    with datamart.connect() as conn:
        for table in ("raw.web_events", f"staging.{MODEL}"):
            conn.execute(f"delete from {table} where event_id = any(%s)", (added,))


def rules(datamart: CraftedDatamart) -> dict[str, list[str]]:
    """The table's NOT NULL columns and its check constraints."""
    not_null = datamart.rows(
        f"select attname from pg_attribute where attrelid = 'staging.{MODEL}'::regclass "
        "and attnum > 0 and attnotnull order by attname"
    )
    checks = datamart.rows(
        f"select conname from pg_constraint where conrelid = 'staging.{MODEL}'::regclass "
        "and contype = 'c' order by conname"
    )
    return {
        "not_null": [row["attname"] for row in not_null],
        "checks": [row["conname"] for row in checks],
    }


def staged(datamart: CraftedDatamart) -> list[str]:
    return [r["event_id"] for r in datamart.rows(f"select event_id from staging.{MODEL}")]


def test_the_accepted_types_are_the_landing_contracts():
    project = yaml.safe_load((DBT_PROJECT_DIR / "dbt_project.yml").read_text())
    assert project["vars"]["web_event_types"] == list(WEB_EVENT_TYPES)


def test_the_first_build_gives_the_table_its_rules(datamart):
    held = rules(datamart)
    assert held["not_null"] == ["event_id", "occurred_at", "type"]
    [check] = held["checks"]
    assert check.startswith(f"{MODEL}_type_in_")


def test_no_data_test_reads_the_table_for_those_rules(datamart):
    built = datamart.build(AS_OF, SELECT, must_pass=False)
    assert built.returncode == 0, built.stdout[-3000:]
    assert f"not_null_{MODEL}" not in built.stdout
    assert f"accepted_values_{MODEL}" not in built.stdout


def test_an_unknown_type_fails_the_build_and_stays_out(datamart, raw_event):
    raw_event("e2", "2026-11-21T10:00:00+00:00", "teleport")
    built = datamart.build(AS_OF, SELECT, must_pass=False)
    assert built.returncode != 0
    assert "violates check constraint" in built.stdout
    assert staged(datamart) == ["e1"]


def test_an_event_without_its_instant_fails_the_build_and_stays_out(datamart, raw_event):
    raw_event("e3", None, "page_view")
    built = datamart.build(AS_OF, SELECT, must_pass=False)
    assert built.returncode != 0
    assert 'column "occurred_at"' in built.stdout
    assert staged(datamart) == ["e1"]


def test_changed_types_replace_the_rule(datamart, raw_event):
    before = rules(datamart)["checks"]
    raw_event("e4", "2026-11-21T10:00:00+00:00", "teleport")
    datamart.build(AS_OF, SELECT, variables={"web_event_types": [*WEB_EVENT_TYPES, "teleport"]})
    [check] = rules(datamart)["checks"]
    assert check != before[0] and check.startswith(f"{MODEL}_type_in_")
    assert sorted(staged(datamart)) == ["e1", "e4"]
    # Back to the project's types: the rule is replaced again, and e4 taken out first.
    with datamart.connect() as conn:
        conn.execute("delete from raw.web_events where event_id = 'e4'")
        conn.execute(f"delete from staging.{MODEL} where event_id = 'e4'")
    datamart.build(AS_OF, SELECT)
    assert rules(datamart)["checks"] == before
