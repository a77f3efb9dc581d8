{#
    The run's as-of instant (DESIGN §4.2) as a timestamptz SQL expression.

    The orchestration always passes `--vars '{as_of: "<ISO 8601>"}'`, so a run, a replay of the
    past and a test see the same instant in every model. Only when the var is absent (a data
    engineer running dbt by hand) does it fall back to dbt's run_started_at, which is still one
    instant for the whole invocation. Models never read now() or current_date.
#}
{% macro as_of() -%}
    {%- set value = var('as_of', none) -%}
    {%- if value is none or (value | string | trim) == '' -%}
        {%- set value = run_started_at.isoformat() -%}
    {%- endif -%}
    ('{{ value | string | trim | replace("'", "''") }}'::timestamptz)
{%- endmacro %}
