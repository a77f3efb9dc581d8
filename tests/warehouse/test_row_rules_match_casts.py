"""Every typed column's row rule agrees with its dbt staging cast, value by value, on the real
PostgreSQL: a value the rule lets through never stops a staging build, and within the landing
contract's shape the rule refuses exactly what the cast refuses. The casts are read from the
staging models themselves, so a cast added or changed there fails here until its rule follows."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest

from assets.resources import dbt_env_for
from models.landing import (
    CATALOG_PRODUCTS,
    CRM_CUSTOMERS,
    CRM_VEHICLES,
    LANDING_SOURCES,
    POS_TRANSACTIONS,
    WEB_EVENTS,
    LandingSource,
)
from warehouse.raw_schema import VALIDITY_FUNCTION_BEFORE_16, ensure_raw_schema
from warehouse.row_rules import _ISO_TIMESTAMP, RowRule, rules_for, timestamp_shape

DBT_PROJECT_DIR = Path(__file__).resolve().parents[2] / "dbt_project"
STAGING = DBT_PROJECT_DIR / "models" / "staging"
STAGING_MODELS = {
    CRM_CUSTOMERS.name: "stg_crm__customers.sql",
    CRM_VEHICLES.name: "stg_crm__vehicles.sql",
    CATALOG_PRODUCTS.name: "stg_catalog__products.sql",
    WEB_EVENTS.name: "stg_web__events.sql",
    POS_TRANSACTIONS.name: "stg_pos__transaction_lines.sql",
}

# Values of the contract's shape, chosen at the edges of what each cast accepts.
INTEGERS = (
    "0",
    "-7",
    "2026",
    "999999999",
    "1000000000",
    "2147483647",
    "-2147483648",
    "2147483648",
    "-2147483649",
    "99999999999",
    "-99999999999",
    "0002147483647",
    "0000000000000000000000000042",
    "9" * 40,
    "9" * 140_000,
)
DECIMALS = (
    "79.90",
    "-0.5",
    "0",
    "123456789012345678901234567890.123456789012345678901234567890",
    "1" * 131_072,
    "1" * 131_073,
    "0." + "1" * 16_383,
    "0." + "1" * 16_384,
    "0" * 140_000 + "1",
)
DATES = (
    "2026-02-28",
    "2024-02-29",
    "2026-02-29",
    "2026-04-31",
    "2026-12-31",
    "0000-01-01",
    "0000-02-29",
    "0000-12-31",
    "0001-01-01",
    "9999-12-31",
)
TIMESTAMPS = (
    "2026-11-20T10:00:00+01:00",
    "2026-11-20 10:00Z",
    "2026-11-20T10:00:00.123456+0530",
    "2026-11-20T10:00:00.1234567+00:00",
    "2026-11-20T10:00:00." + "1" * 100 + "+00:00",
    "2026-11-20T10:00:00+14:59",
    "2026-11-20T10:00:00+15:00",
    "2026-11-20T10:00:00+15:59",
    "2026-11-20T10:00:00-15:59",
    "2026-11-20T10:00:00+1559",
    "2026-11-20T10:00:00+15",
    "2026-11-20T10:00:00+16:00",
    "2026-11-20T10:00:00-16:00",
    "2026-11-20T10:00:00+1600",
    "2026-11-20T10:00:00+16",
    "2026-11-20T10:00:00+24:00",
    "2026-11-20T10:00:00+99:99",
    "2026-11-20T10:00:00-99",
    "2026-11-20T10:00:00+14:60",
    "2026-11-20T10:00:00+00:99",
    "0000-01-01T00:00:00Z",
    "0000-06-15T12:00:00+01:00",
    "0001-01-01T00:00:00+15:59",
    "9999-12-31T23:59:59.9999999-15:59",
    "2026-02-29T00:00:00Z",
    "2024-02-29T00:00:00Z",
    "2026-06-31T00:00:00Z",
)
JSON_TEXTS = (
    '{"session_id": "s1"}',
    "{}",
    "[1, 2]",
    '"text"',
    "5",
    "null",
    '{"a": "\\u00e9"}',
    '{"a": "\\ud83d\\ude00"}',
    '{"a": "\\\\u0000"}',
    '{"a": "\\u0000"}',
    '{"\\u0000": 1}',
    '{"a": "\\ud800"}',
    '{"a": "\\udc00"}',
    '{"a": "\\ud800x"}',
    '{"a": 1e999999}',
    '{"a": 1e-999999}',
    '{"a": ' + "1" * 140_000 + "}",
    '{"a": NaN}',
    '{"a": Infinity}',
    '{"a": "\x01"}',
    "{a: 1}",
    '{"a": 1',
    "not json",
)
# Values outside the contract's shapes, some of which a cast reads: each rule refuses its own.
OFF_SHAPE = (
    "NaN",
    "Infinity",
    "-Infinity",
    "1e3",
    "12.5",
    ".5",
    " 12",
    "+12",
    "0x1F",
    "١٢",
    "20260101",
    "10000-01-01",
    "294277-01-01T00:00:00Z",
    "2026-11-20T10:00:00",
    "2026-11-20T24:00:00Z",
    "2026-11-20T10:00:60Z",
    "2026-11-20T10:00:00 Europe/Paris",
    "epoch",
    "infinity",
    "tomorrow",
)


@dataclass(frozen=True)
class StagingCast:
    """How a staging model types one raw column, ``written`` as the model spells it. ``cast``
    is that expression over a value (``{}``); ``contract`` is the cast the row rule promises,
    where it is narrower than staging's (a POS quantity is a PostgreSQL integer)."""

    source: LandingSource
    column: str
    written: str
    values: tuple[str, ...]
    macro_cast: str | None = None
    contract: str | None = None

    @property
    def cast(self) -> str:
        return self.macro_cast or self.written.replace(self.column, "{}")

    @property
    def promised(self) -> str:
        return self.contract or self.cast


def _timestamp(source: LandingSource, column: str, written: str) -> StagingCast:
    # to_timestamptz and parse_instant cast a value with an offset as it is; the rules accept no
    # other.
    read = "nullif(btrim({}), '')" if "nullif" in written else "btrim({})"
    return StagingCast(source, column, written, TIMESTAMPS, macro_cast=f"{read}::timestamptz")


CASTS = (
    StagingCast(CRM_CUSTOMERS, "birth_date", "nullif(btrim(birth_date), '')::date", DATES),
    _timestamp(CRM_CUSTOMERS, "created_at", "to_timestamptz('nullif(btrim(created_at)"),
    _timestamp(CRM_CUSTOMERS, "updated_at", "to_timestamptz('btrim(updated_at)')"),
    StagingCast(
        CRM_VEHICLES, "model_year", "nullif(btrim(model_year), '')::numeric::integer", INTEGERS
    ),
    StagingCast(CRM_VEHICLES, "delivered_at", "btrim(delivered_at)::date", DATES),
    StagingCast(CRM_VEHICLES, "last_service_at", "nullif(btrim(last_service_at), '')::date", DATES),
    StagingCast(
        CRM_VEHICLES,
        "service_interval_months",
        "nullif(btrim(service_interval_months), '')::numeric::integer",
        INTEGERS,
    ),
    StagingCast(CATALOG_PRODUCTS, "price", "nullif(btrim(price), '')::numeric", DECIMALS),
    _timestamp(WEB_EVENTS, "occurred_at", "parse_instant('btrim(occurred_at)')"),
    StagingCast(WEB_EVENTS, "revenue", "nullif(btrim(revenue), '')::numeric", DECIMALS),
    StagingCast(
        WEB_EVENTS,
        "properties",
        """parse_json("nullif(btrim(properties), '')")""",
        JSON_TEXTS,
        macro_cast="nullif(btrim({}), '')::jsonb",
    ),
    StagingCast(POS_TRANSACTIONS, "line_number", "btrim(line_number)::numeric::integer", INTEGERS),
    StagingCast(
        POS_TRANSACTIONS,
        "quantity",
        "nullif(btrim(quantity), '')::numeric",
        INTEGERS,
        contract="{}::numeric::integer",
    ),
    StagingCast(POS_TRANSACTIONS, "unit_price", "nullif(btrim(unit_price), '')::numeric", DECIMALS),
    _timestamp(POS_TRANSACTIONS, "purchased_at", "to_timestamptz('btrim(purchased_at)')"),
)
CAST_IDS = [f"{c.source.name}.{c.column}" for c in CASTS]
_RAW_COLUMN = re.compile(r"btrim\((\w+)\)")


# How a staging model spells a cast: PostgreSQL's ``::``, or a macro that casts.
_CASTING = ("::", "to_timestamptz", "parse_instant", "parse_json")


def _cast_columns(model: str) -> set[str]:
    """The raw columns a staging model casts: those on a line that casts (``_CASTING``)."""
    return {
        column
        for line in model.splitlines()
        if any(spelling in line for spelling in _CASTING)
        for column in _RAW_COLUMN.findall(line)
    }


@pytest.fixture(scope="module", params=["pg_input_is_valid", "plpgsql_fallback"])
def conn(request, pg_server) -> Iterator[psycopg.Connection]:
    """A database with the raw schema, its validity check either PostgreSQL 16's
    ``pg_input_is_valid`` or the fallback older servers get."""
    name = f"row_rules_{request.param}"
    with psycopg.connect(pg_server.url("postgres"), autocommit=True) as admin:
        admin.execute(f"drop database if exists {name} with (force)")
        admin.execute(f"create database {name}")
    with psycopg.connect(pg_server.url(name), autocommit=True) as connection:
        ensure_raw_schema(connection)
        if request.param == "plpgsql_fallback":
            connection.execute(VALIDITY_FUNCTION_BEFORE_16)
        yield connection


def _column_rules(cast: StagingCast) -> list[RowRule]:
    """The rules judging a present value of the column (presence rules aside)."""
    return [
        rule
        for rule in rules_for(cast.source)
        if rule.name.startswith(f"{cast.column}_") and not rule.name.endswith("_present")
    ]


def _rule_accepts(conn, rules: list[RowRule], column: str, value: str) -> bool:
    broken = " or ".join(f"coalesce({rule.predicate}, false)" for rule in rules)
    query = f"select not ({broken}) from (select %s::text as {column}) as batch"
    return conn.execute(query, (value,)).fetchone()[0]


def _cast_accepts(conn, expression: str, value: str) -> bool:
    try:
        conn.execute(f"select {expression.format('%s::text')}", (value,))
    except (psycopg.errors.DataError, psycopg.errors.FeatureNotSupported):  # NaN::integer
        return False
    return True


def _typed_rule(cast: StagingCast) -> list[RowRule]:
    return [r for r in _column_rules(cast) if re.search(r"_is_[a-z]+$", r.name)]


def test_every_cast_of_a_raw_column_in_staging_is_held_to_a_rule():
    for source in LANDING_SOURCES:
        model = (STAGING / STAGING_MODELS[source.name]).read_text()
        cast_columns = _cast_columns(model)
        listed = {c.column for c in CASTS if c.source == source}
        assert cast_columns == listed, f"{source.name}: casts in the model vs listed here"
        for cast in (c for c in CASTS if c.source == source):
            assert cast.written in model, (
                f"{cast.written} no longer in {STAGING_MODELS[source.name]}"
            )
            assert _typed_rule(cast), f"no typed row rule for {source.name}.{cast.column}"


@pytest.mark.parametrize("cast", CASTS, ids=CAST_IDS)
def test_no_value_a_rule_accepts_fails_its_staging_cast(conn, cast: StagingCast):
    rules = _column_rules(cast)
    leaks = [
        value[:60]
        for value in (*cast.values, *OFF_SHAPE)
        if _rule_accepts(conn, rules, cast.column, value)
        and not _cast_accepts(conn, cast.cast, value)
    ]
    assert leaks == []


@pytest.mark.parametrize("cast", CASTS, ids=CAST_IDS)
def test_within_the_contract_shape_a_rule_refuses_exactly_what_its_cast_refuses(
    conn, cast: StagingCast
):
    rules = _typed_rule(cast)
    disagreements = [
        (value[:60], accepted)
        for value in cast.values
        if (accepted := _rule_accepts(conn, rules, cast.column, value))
        != _cast_accepts(conn, cast.promised, value)
    ]
    assert disagreements == []


# Values spelled like 2026-03-01T09:30:00+01:00, with every field or separator wrong in turn.
COMMON_TIMESTAMP_SPELLINGS = (
    "2026-11-20T10:00:00+01:00",
    "2026-11-20T10:00:00-05:30",
    "2026-12-31T23:59:59+00:00",
    "0000-01-01T00:00:00+99:99",
    "2026-11-20T24:00:00+00:00",
    "2026-11-20T24:00:01+00:00",
    "2026-11-20T25:00:00+00:00",
    "2026-11-20T30:00:00+00:00",
    "2026-11-20T99:00:00+00:00",
    "2026-11-20T23:59:59+00:00",
    "2026-11-20T10:60:00+00:00",
    "2026-11-20T10:00:60+00:00",
    "2026-11-20T23:59:60+00:00",
    "2026-11-20T10:00:61+00:00",
    "2026-11-20T10:00:99+00:00",
    "2026-11-20T10:0-:00+00:00",
    "2026-11-20T10:00:00+00::0",
    "2026-11-20T10:00:00+00:+0",
    "2026-13-20T10:00:00+00:00",
    "2026-00-20T10:00:00+00:00",
    "2026-11-00T10:00:00+00:00",
    "2026-11-32T10:00:00+00:00",
    " 026-11-20T10:00:00+00:00",
    "+026-11-20T10:00:00+00:00",
    "2026-1--20T10:00:00+00:00",
    "2026-11-20TT0:00:00+00:00",
    "2026-11-20T10:00:0:+00:00",
    "2026-11-20T10:00:0.+00:00",
    "2026-11-20T10:00:00++0:00",
    "2026-11-20T10:00:00+0-:00",
    "2026-11-20T10:00:00+00:0T",
    "2026-11-20T10:00:00+0a:00",
    "\uff12026-11-20T10:00:00+00:00",
    "\u0661\u0662\u0663\u0664-11-20T10:00:00+00:00",
    "2026-11-20t10:00:00+00:00",
)


def test_the_common_timestamp_spelling_is_judged_as_the_regex_judges_it(conn):
    valid = "raw.is_valid(v, 'timestamptz')"
    query = (
        f"select {timestamp_shape('v')} and {valid}, v ~ '{_ISO_TIMESTAMP}' and {valid} "
        "from (select %s::text as v) as value"
    )
    disagreements = [
        value
        for value in COMMON_TIMESTAMP_SPELLINGS
        if len(set(conn.execute(query, (value,)).fetchone())) > 1
    ]
    assert disagreements == []


def test_a_character_out_of_place_in_the_common_spelling_is_judged_as_the_regex_judges_it(conn):
    """The common spelling with one character anywhere made a digit, a separator, a space, a
    letter or another script's digit, or with two of its digits made separators: the shape's
    short cut and the regex agree on every one (with the cast, which reads many of them)."""
    valid = "raw.is_valid(v, 'timestamptz')"
    query = f"""
        with characters(c) as (
            select unnest(array['0', '5', '9', '-', ':', 'T', '+', ' ', '.', 'a', 'Z', '#',
                                '\uff12', '\u0661'])
        ), separators(c) as (select unnest(array['-', ':', 'T', '+'])
        ), positions(p) as (select generate_series(1, 25)
        ), digits(p) as (select p from positions where p not in (5, 8, 11, 14, 17, 20, 23)
        ), bases(b) as (
            select unnest(array['2026-03-01T09:30:00+01:00', '2026-12-31T23:59:59-15:59'])
        ), spellings(v) as (
            select overlay(b placing c from p for 1) from bases, positions, characters
            union all
            select overlay(overlay(b placing c1.c from d1.p for 1) placing c2.c from d2.p for 1)
            from bases, digits as d1, digits as d2, separators as c1, separators as c2
            where d1.p < d2.p
        )
        select v from spellings
        where ({timestamp_shape("v")} and {valid})
            is distinct from (v ~ '{_ISO_TIMESTAMP}' and {valid})
    """
    assert conn.execute(query).fetchall() == []


def test_a_service_interval_is_refused_beyond_a_hundred_years(conn):
    [cast] = [c for c in CASTS if c.column == "service_interval_months"]
    rules = _column_rules(cast)
    values = ("0", "12", "1200", "1201", "-1", "2147483647")
    assert [v for v in values if _rule_accepts(conn, rules, cast.column, v)] == ["0", "12", "1200"]


@pytest.fixture(scope="module")
def guards(session_database_url, tmp_path_factory) -> dict[tuple[str, str], str]:
    """The guard dbt renders for each typed raw column, by (source name, column): the check
    staging filters raw rows with (macros/typable_rows.sql)."""
    tables = [source.raw_table for source in LANDING_SOURCES]
    inline = (
        "{% for t in " + json.dumps(tables) + " %}"
        "{% for column, expression, cast in raw_typed_columns(t) %}"
        "{{ t }}.{{ column }}={{ typable(expression, cast) }};;"
        "{% endfor %}{% endfor %}"
    )
    work = tmp_path_factory.mktemp("dbt_guards")
    compiled = subprocess.run(
        [str(Path(sys.executable).with_name("dbt")), "compile", "--inline", inline]
        + ["--output", "json", "--quiet"]
        + ["--target-path", str(work / "target"), "--log-path", str(work / "logs")],
        cwd=DBT_PROJECT_DIR,
        env={
            **os.environ,
            "DBT_PROFILES_DIR": str(DBT_PROJECT_DIR),
            "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
            **dbt_env_for(session_database_url),
        },
        capture_output=True,
        text=True,
        check=True,
    )
    by_table = {source.raw_table: source.name for source in LANDING_SOURCES}
    guards = {}
    for entry in json.loads(compiled.stdout)["compiled"].split(";;")[:-1]:
        key, guard = entry.split("=", 1)
        table, column = key.split(".")
        guards[(by_table[table], column)] = guard
    return guards


def test_every_staging_model_guards_exactly_the_raw_columns_it_casts(guards):
    for source in LANDING_SOURCES:
        model = (STAGING / STAGING_MODELS[source.name]).read_text()
        guarded = {column for name, column in guards if name == source.name}
        assert guarded == _cast_columns(model), source.name
        coverage = f"ref('{STAGING_MODELS[source.name].removesuffix('.sql')}_coverage')"
        assert f"where {{{{ typable_row_once('{source.raw_table}', {coverage}) }}}}" in model


@pytest.mark.parametrize("cast", CASTS, ids=CAST_IDS)
def test_a_staging_guard_lets_through_exactly_the_values_its_cast_reads(
    conn, guards, cast: StagingCast
):
    guard = guards[(cast.source.name, cast.column)]
    query = f"select {guard} from (select %s::text as {cast.column}) as source"
    disagreements = [
        (value[:60], accepted)
        for value in (*cast.values, *OFF_SHAPE, "", " ", None)
        if (accepted := conn.execute(query, (value,)).fetchone()[0])
        != _cast_accepts(conn, cast.cast, value)
    ]
    assert disagreements == []
