"""DDL of the raw layer: one text-typed table per landing source, its rejects table, the file
registry, the CRM watermarks, and the SQL predicates validation relies on.

Raw keeps the text as it landed so nothing is lost in a cast; dbt staging types it.
"""

from __future__ import annotations

import psycopg
from psycopg import sql

from models.landing import LANDING_SOURCES, POS_TRANSACTIONS, WEB_EVENTS, LandingSource

RAW_SCHEMA = "raw"
# The new-behaviour sensor looks for rows of these loaded since its last look every few seconds
# (orchestration/behaviour_watermark.py). Rows are appended, so `_loaded_at` follows the blocks:
# a BRIN index (a few bytes per megabyte of table, nothing to speak of at load) leads it to the
# newest blocks, where the table alone would be read whole, millions of rows, at every look.
LOADED_AT_INDEXED = (WEB_EVENTS, POS_TRANSACTIONS)

_REGISTRY_DDL = """
create table if not exists raw._landing_files (
    path text not null,
    checksum text not null,
    source text not null,
    status text not null check (status in ('loaded', 'quarantined')),
    size bigint not null,
    modified_at timestamptz not null,
    rows_read bigint not null default 0,
    rows_loaded bigint not null default 0,
    rows_rejected bigint not null default 0,
    error text,
    ingested_at timestamptz not null default now(),
    primary key (path, checksum)
);
create table if not exists raw._crm_watermarks (
    source text primary key,
    high_watermark timestamptz not null,
    extracted_at timestamptz not null default now()
);
"""

# Whether a cast of the text to the type would succeed, without raising: what the row rules ask
# of every typed value. pg_input_is_valid (PostgreSQL 16+) answers; ``stable`` like it, so the
# planner inlines the call (a third of the cost). Older servers get PL/pgSQL that traps the
# cast's error, with static casts for the types the rules use (a cached plan, not one per row).
# Both answer NULL-safely (NULL is valid).
VALIDITY_FUNCTION = """
create or replace function raw.is_valid(value text, type_name text) returns boolean
language sql stable parallel safe as
$$ select value is null or pg_input_is_valid(value, type_name) $$;
"""
VALIDITY_FUNCTION_BEFORE_16 = """
create or replace function raw.is_valid(value text, type_name text) returns boolean
language plpgsql stable parallel safe as
$$ begin
    if value is null then return true; end if;
    case type_name
        when 'date' then perform value::date;
        when 'timestamptz' then perform value::timestamptz;
        when 'integer' then perform value::integer;
        when 'numeric' then perform value::numeric;
        when 'json' then perform value::json;
        when 'jsonb' then perform value::jsonb;
        else execute format('select %L::%s', value, type_name);
    end case;
    return true;
exception when data_exception then
    return false;
end $$;
"""

# Why the text is not valid input for the type, in the server's own words (the detail when there
# is one: `Token "not" is invalid.`), NULL when it is. Asked only of rows already rejected.
INPUT_ERROR_FUNCTION = """
create or replace function raw.input_error(value text, type_name text) returns text
language sql stable parallel safe as
$$ select coalesce(e.detail, e.message) from pg_input_error_info(value, type_name) as e $$;
"""
INPUT_ERROR_FUNCTION_BEFORE_16 = """
create or replace function raw.input_error(value text, type_name text) returns text
language plpgsql stable parallel safe as
$$ declare
    message text;
    detail text;
begin
    execute format('select %L::%s', value, type_name);
    return null;
exception when data_exception then
    get stacked diagnostics message = message_text, detail = pg_exception_detail;
    return coalesce(nullif(detail, ''), message);
end $$;
"""


def source_table_ddl(source: LandingSource, table: str, extra: tuple[str, ...] = ()) -> sql.SQL:
    columns = [sql.SQL("{} text").format(sql.Identifier(c)) for c in source.columns]
    columns += [
        sql.SQL("_source text not null"),
        sql.SQL("_row_number bigint not null"),
        sql.SQL("_loaded_at timestamptz not null default now()"),
    ]
    columns += [sql.SQL("{} text").format(sql.Identifier(c)) for c in extra]
    return sql.SQL("create table if not exists {}.{} ({})").format(
        sql.Identifier(RAW_SCHEMA), sql.Identifier(table), sql.SQL(", ").join(columns)
    )


def ensure_raw_schema(conn: psycopg.Connection) -> None:
    """Create the raw schema and its tables if missing; safe to run on every ingest."""
    with conn.transaction():
        conn.execute("select pg_advisory_xact_lock(hashtext('touchpoint.raw_schema'))")
        conn.execute("create schema if not exists raw")
        conn.execute(_REGISTRY_DDL)
        modern = conn.info.server_version >= 160000
        conn.execute(VALIDITY_FUNCTION if modern else VALIDITY_FUNCTION_BEFORE_16)
        conn.execute(INPUT_ERROR_FUNCTION if modern else INPUT_ERROR_FUNCTION_BEFORE_16)
        for source in LANDING_SOURCES:
            conn.execute(source_table_ddl(source, source.raw_table))
            conn.execute(
                source_table_ddl(source, source.rejects_table, extra=("_reject_reason", "_raw"))
            )
        for source in LOADED_AT_INDEXED:
            _ensure_loaded_at_index(conn, source)


def _ensure_loaded_at_index(conn: psycopg.Connection, source: LandingSource) -> None:
    """Only when missing: even `create index if not exists` locks the table against writes
    first, and would queue behind an ingest's open transaction, and the collector behind it."""
    name = f"{source.raw_table}_loaded_at"
    if conn.execute("select to_regclass(%s)", (f"{RAW_SCHEMA}.{name}",)).fetchone()[0]:
        return
    conn.execute(
        sql.SQL(
            "create index {} on {}.{} using brin (_loaded_at) with (autosummarize = on)"
        ).format(sql.Identifier(name), sql.Identifier(RAW_SCHEMA), sql.Identifier(source.raw_table))
    )
