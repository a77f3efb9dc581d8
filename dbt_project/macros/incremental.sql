{#
    Incremental models over the raw tables and messaging.message_events (dbt_project/README.md,
    Incremental facts).

    Raw tables only grow, and every row carries `_loaded_at`, its loading transaction's start
    (message events: `recorded_at`, the same, passed as `loaded_at`). A
    build adds the rows loaded after the newest one its table holds, and only those loaded
    before the cutoff (portable/incremental.sql): a loader's transaction still open when the
    build reads raw commits rows whose `_loaded_at` is older than rows the build already sees,
    and a plain "newer than the newest" would skip them for good. Rows at or after the cutoff
    wait for the next build. A full build (`--full-refresh`, or the first) takes every row
    before the cutoff, so it holds what incremental builds at the same moment would.
#}

{# The cutoff, read from the warehouse before the model's statement (a literal instant). #}
{% macro load_cutoff() -%}
    {%- if not execute -%}
        {{ return(earliest_instant()) }}
    {%- endif -%}
    {%- do run_query(load_cutoff_refresh()) -%}
    {%- set cutoff = run_query(load_cutoff_query()).columns[0].values()[0] -%}
    {{ return(instant_literal(cutoff)) }}
{%- endmacro %}

{#
    The where clause of an incremental model's raw rows: loaded before the cutoff and, once the
    table exists, after the newest row it holds.
#}
{% macro loaded_since_last_build(loaded_at='_loaded_at') -%}
    {{ loaded_between(
        loaded_at, load_cutoff(), newest_held(loaded_at) if is_incremental() else none
    ) }}
{%- endmacro %}

{#
    The same with the cutoff and the newest instant held given (`newest` none: nothing held yet),
    for a model that reads two sources by one cutoff (staging_coverage).
#}
{% macro loaded_between(column, cutoff, newest) -%}
    {{ column }} < {{ cutoff }}
    {%- if newest is not none %}
    and {{ column }} > {{ newest }}
    {%- endif %}
{%- endmacro %}

{#
    The newest `column` (an instant) the model's table holds, as a literal read before the
    model's statement (the earliest instant when it holds none). A literal, not a subquery: the
    planner then estimates the new rows from the column's statistics and uses the `_loaded_at`
    index, where a subquery's value is unknown to it (at 1 M customers it planned a day's 190 k
    new events as 3.6 M). Read before the model's lock (serialize_builds), so a build committed
    meanwhile makes it older than it could be, never newer: the model then takes a few rows
    again, which delete+insert on the unique key writes identically, and never misses one.
    A table built before the model had the column (an upgrade that made a table incremental)
    counts as holding none: the build then takes every row again, and the model's
    `on_schema_change='append_new_columns'` adds the column.
#}
{% macro newest_held(column='_loaded_at') -%}
    {%- if not execute -%}
        {{ return(earliest_instant()) }}
    {%- endif -%}
    {%- set held_columns = adapter.get_columns_in_relation(this) | map(attribute='name') | list -%}
    {%- if column not in held_columns -%}
        {{ return(earliest_instant()) }}
    {%- endif -%}
    {%- set newest = run_query(
        'select cast(max(' ~ column ~ ') as ' ~ dbt.type_string() ~ ') from ' ~ this
    ).columns[0].values()[0] -%}
    {{ return(earliest_instant() if newest is none else instant_literal(newest)) }}
{%- endmacro %}
