{#
    What incremental models need from the warehouse (macros/incremental.sql says how they use
    it; docs/portability.md lists it).
#}

{#
    The instant before which every row a loader will ever write is already committed: the start
    of the oldest transaction still open that has written (or may soon write) something, else
    the clock. A loader's `_loaded_at` is its transaction's start (the column's default, now()),
    so a row committed after this build read its source carries a `_loaded_at` at or after this
    instant, and the next build still picks it up.

    A transaction that has not written yet counts while it is younger than
    `incremental_idle_grace_minutes` (the ingest opens its transaction, then stages the first
    chunk before it writes); an older one that never wrote (a forgotten psql session) is not
    waited for, or it would hold every new row back. Only client sessions count: an autovacuum
    worker analysing a raw table the ingest has just filled never loads a row, and counting it
    held a whole file of a 1 M-customer ingest (a million events) back to the next day's
    build. Sessions of another database user show no
    transaction here unless this user may read all statistics (pg_read_all_stats): touchpoint's
    loaders and dbt use one user.

    Read in a statement of its own before the model's (see load_cutoff), and on a fresh view of
    the server's activity (PostgreSQL keeps the first one a transaction reads).
#}
{% macro load_cutoff_query() -%}
    {{ return(adapter.dispatch('load_cutoff_query', 'touchpoint')()) }}
{%- endmacro %}

{% macro postgres__load_cutoff_query() -%}
    select
        least(
            clock_timestamp(),
            min(xact_start) filter (
                where backend_xid is not null
                or xact_start > clock_timestamp()
                - make_interval(mins => {{ var('incremental_idle_grace_minutes', 5) }})
            )
        )::text
    from pg_stat_activity
    where pid <> pg_backend_pid()
        and datname = current_database()
        and backend_type = 'client backend'
        and xact_start is not null
{%- endmacro %}

{% macro load_cutoff_refresh() -%}
    {{ return(adapter.dispatch('load_cutoff_refresh', 'touchpoint')()) }}
{%- endmacro %}

{% macro postgres__load_cutoff_refresh() -%}
    select pg_stat_clear_snapshot()
{%- endmacro %}

{% macro default__load_cutoff_refresh() -%}
    select 1
{%- endmacro %}

{#
    A pre-hook: one build of `relation` at a time. Two runs can build the datamart at once (a
    sensor's and the daily one); an incremental model reads what its table already holds to
    decide what to add, so the second waits for the first to commit and then sees its rows. The
    lock is the transaction's, released at its commit or rollback.
#}
{% macro serialize_builds(relation) -%}
    {{ return(adapter.dispatch('serialize_builds', 'touchpoint')(relation)) }}
{%- endmacro %}

{% macro postgres__serialize_builds(relation) -%}
    select pg_advisory_xact_lock(hashtext('touchpoint.build:{{ relation }}'))
{%- endmacro %}

{% macro default__serialize_builds(relation) -%}
    select 1
{%- endmacro %}

{# An instant before every other. #}
{% macro earliest_instant() -%}
    {{ return(adapter.dispatch('earliest_instant', 'touchpoint')()) }}
{%- endmacro %}

{% macro postgres__earliest_instant() -%}
    '-infinity'::timestamptz
{%- endmacro %}

{% macro default__load_cutoff_query() -%}
    select cast(current_timestamp as {{ dbt.type_string() }})
{%- endmacro %}
