{#
    Shared forms for the trigger and segment models (docs/triggers.md). The dates and instants
    templates and occurrence keys read as text (iso_date, iso_instant, compact_instant) and
    local midnights are in portable/time.sql.
#}

{#
    Snapshots stamp exits (hard_deletes: invalidate) with snapshot_get_time(). dbt-postgres makes
    that the wall clock; here it is the run's as-of instant, so a member who leaves the segment is
    recorded as gone at the instant the run judged, and replays and tests are reproducible.
    Another adapter needs the same override under its own prefix (docs/portability.md).
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
    {{ local_date(as_of(), timezone) }}
{%- endmacro %}
