{#
    Shared forms for the trigger and segment models (docs/triggers.md). Templates and occurrence
    keys read these values as text, so they are spelt here once and never depend on the
    database session's TimeZone setting.
#}

{# The instant a customer-local calendar date starts: "local midnight of d". #}
{% macro local_midnight(local_date, timezone) -%}
    (({{ local_date }})::timestamp at time zone {{ timezone }})
{%- endmacro %}

{# A date as `YYYY-MM-DD`. #}
{% macro iso_date(date) -%}
    to_char({{ date }}, 'YYYY-MM-DD')
{%- endmacro %}

{# An instant as ISO 8601 in UTC with an explicit offset, e.g. `2026-11-23T10:00:00+00:00`. #}
{% macro iso_instant(instant) -%}
    to_char(({{ instant }}) at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"+00:00"')
{%- endmacro %}

{# An instant in the compact UTC form occurrence keys use, e.g. `20261123T100000`. #}
{% macro compact_instant(instant) -%}
    to_char(({{ instant }}) at time zone 'UTC', 'YYYYMMDD"T"HH24MISS')
{%- endmacro %}

{#
    Snapshots stamp exits (hard_deletes: invalidate) with snapshot_get_time(). dbt-postgres makes
    that the wall clock; here it is the run's as-of instant, so a member who leaves the segment is
    recorded as gone at the instant the run judged, and replays and tests are reproducible.
#}
{% macro postgres__snapshot_get_time() -%}
    {{ as_of() }}
{%- endmacro %}

{#
    The customer's local date at the run's as-of instant. Triggers compute it here rather than
    reading dim_customers.local_date, so an hourly rebuild of a trigger alone, or a preview at
    another instant, sees the right day even though the dimension was built at another instant.
#}
{% macro local_date_at_as_of(timezone) -%}
    ({{ as_of() }} at time zone {{ timezone }})::date
{%- endmacro %}
