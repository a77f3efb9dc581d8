{#
    The run's as-of instant (docs/architecture.md, The as-of instant) as an instant SQL literal
    (instant_literal, portable/time.sql).

    The orchestration hands it to dbt's process in the environment variable TOUCHPOINT_AS_OF
    (ISO 8601), so a run and a replay of the past see one instant in every model; `--vars
    '{as_of: "<ISO 8601>"}'` wins over it (tests, dbt by hand). Only when both are absent (a data
    engineer running dbt by hand) does it fall back to dbt's run_started_at, still one instant for
    the whole invocation. Models never read now() or current_date.

    Why not --vars for runs: dbt parses the whole project again whenever the vars differ from
    those of the parse it kept (its partial parse), and every run has its own instant — seconds
    of every run. The variable is read only when executing (`execute`), never while parsing, so
    dbt neither records it nor parses anything again when it changes.

    A value without an offset is taken as UTC, never in the database session's time zone; a
    value that is not ISO 8601 stops the run at compile time with a message saying so.
#}
{% macro as_of() -%}
    {%- set value = var('as_of', none) -%}
    {%- set given_by = 'var as_of' -%}
    {%- if (value is none or (value | string | trim) == '') and execute -%}
        {%- set value = env_var('TOUCHPOINT_AS_OF', '') -%}
        {%- set given_by = 'TOUCHPOINT_AS_OF' -%}
    {%- endif -%}
    {%- if value is none or (value | string | trim) == '' -%}
        {%- set instant = run_started_at -%}
    {%- else -%}
        {%- set text = value | string | trim -%}
        {%- if text[-1:] in ('Z', 'z') -%}
            {%- set text = text[:-1] ~ '+00:00' -%}
        {%- endif -%}
        {%- set instant = none -%}
        {%- if modules.re.match('^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])([T ][0-9:.,]+([+-][0-9:]+)?)?$', text) -%}
            {%- set instant = modules.datetime.datetime.fromisoformat(text.replace(',', '.')) -%}
        {%- endif -%}
        {%- if instant is none -%}
            {{ exceptions.raise_compiler_error(
                given_by ~ " must be an ISO 8601 date-time such as 2026-11-23T12:00:00+00:00, got '"
                ~ value ~ "'"
            ) }}
        {%- endif -%}
        {%- if instant.tzinfo is none -%}
            {%- set instant = instant.replace(tzinfo=modules.pytz.utc) -%}
        {%- endif -%}
    {%- endif -%}
    {{ instant_literal(instant.isoformat()) }}
{%- endmacro %}
