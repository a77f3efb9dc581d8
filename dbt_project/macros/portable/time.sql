{#
    Dates, instants, time zones and intervals (docs/portability.md). In PostgreSQL an instant is
    a timestamptz and a customer-local wall-clock time a timestamp; `at time zone` converts
    between them, `date ± integer` counts days, intervals are typed values. Models write these
    only through the macros below. Units are PostgreSQL's plural names: years, months, days,
    hours.
#}

{# An instant given as ISO 8601 text with an offset, as an SQL literal. #}
{% macro instant_literal(iso_text) -%}
    {{ return(adapter.dispatch('instant_literal', 'touchpoint')(iso_text)) }}
{%- endmacro %}

{% macro postgres__instant_literal(iso_text) -%}
    '{{ iso_text }}'::timestamptz
{%- endmacro %}

{# ISO 8601 text that carries an offset (or Z), as the instant it names. #}
{% macro parse_instant(text) -%}
    {{ return(adapter.dispatch('parse_instant', 'touchpoint')(text)) }}
{%- endmacro %}

{% macro postgres__parse_instant(text) -%}
    ({{ text }})::timestamptz
{%- endmacro %}

{# The wall-clock time of an instant in a time zone (an IANA name, as SQL). #}
{% macro local_timestamp(instant, timezone) -%}
    {{ return(adapter.dispatch('local_timestamp', 'touchpoint')(instant, timezone)) }}
{%- endmacro %}

{% macro postgres__local_timestamp(instant, timezone) -%}
    ({{ instant }} at time zone {{ timezone }})
{%- endmacro %}

{# The calendar date of an instant in a time zone. #}
{% macro local_date(instant, timezone) -%}
    {{ return(adapter.dispatch('local_date', 'touchpoint')(instant, timezone)) }}
{%- endmacro %}

{% macro postgres__local_date(instant, timezone) -%}
    ({{ instant }} at time zone {{ timezone }})::date
{%- endmacro %}

{# The instant a customer-local calendar date starts: "local midnight of d". #}
{% macro local_midnight(local_date, timezone) -%}
    {{ return(adapter.dispatch('local_midnight', 'touchpoint')(local_date, timezone)) }}
{%- endmacro %}

{% macro postgres__local_midnight(local_date, timezone) -%}
    (({{ local_date }})::timestamp at time zone {{ timezone }})
{%- endmacro %}

{# A wall-clock timestamp read as UTC: the instant it names there. #}
{% macro utc_instant(timestamp) -%}
    {{ return(adapter.dispatch('utc_instant', 'touchpoint')(timestamp)) }}
{%- endmacro %}

{% macro postgres__utc_instant(timestamp) -%}
    ({{ timestamp }})::timestamp at time zone 'UTC'
{%- endmacro %}

{#
    A span of `amount` `unit`s. An integer amount is written as a literal, so a bound such as
    `as_of - 30 days` stays a constant to the planner; an expression goes through make_interval.
#}
{% macro interval(amount, unit) -%}
    {{ return(adapter.dispatch('interval', 'touchpoint')(amount, unit)) }}
{%- endmacro %}

{% macro postgres__interval(amount, unit) -%}
    {%- if amount is number -%}
        interval '{{ amount }} {{ unit }}'
    {%- else -%}
        make_interval({{ unit }} => {{ amount }})
    {%- endif -%}
{%- endmacro %}

{#
    An instant (or date) moved forward or back by an interval. Days are calendar days in the
    session's time zone, as PostgreSQL adds them to a timestamptz.
#}
{% macro add_interval(expression, amount, unit) -%}
    {{ return(adapter.dispatch('add_interval', 'touchpoint')(expression, amount, unit)) }}
{%- endmacro %}

{% macro postgres__add_interval(expression, amount, unit) -%}
    ({{ expression }} + {{ touchpoint.interval(amount, unit) }})
{%- endmacro %}

{% macro subtract_interval(expression, amount, unit) -%}
    {{ return(adapter.dispatch('subtract_interval', 'touchpoint')(expression, amount, unit)) }}
{%- endmacro %}

{% macro postgres__subtract_interval(expression, amount, unit) -%}
    ({{ expression }} - {{ touchpoint.interval(amount, unit) }})
{%- endmacro %}

{# A date moved by whole months or years (29 Feb + 1 year → 28 Feb), still a date. #}
{% macro shift_date(date, amount, unit) -%}
    {{ return(adapter.dispatch('shift_date', 'touchpoint')(date, amount, unit)) }}
{%- endmacro %}

{% macro postgres__shift_date(date, amount, unit) -%}
    ({{ date }} + {{ touchpoint.interval(amount, unit) }})::date
{%- endmacro %}

{# A date `days` days later (earlier when negative). #}
{% macro add_days(date, days) -%}
    {{ return(adapter.dispatch('add_days', 'touchpoint')(date, days)) }}
{%- endmacro %}

{% macro postgres__add_days(date, days) -%}
    {%- if days is number and days < 0 -%}
        ({{ date }} - {{ -days }})
    {%- else -%}
        ({{ date }} + {{ days }})
    {%- endif -%}
{%- endmacro %}

{% macro default__add_days(date, days) -%}
    cast({{ dbt.dateadd('day', days, date) }} as date)
{%- endmacro %}

{# Whole days from one date to a later one (negative when `end` is earlier). #}
{% macro days_between(start, end) -%}
    {{ return(adapter.dispatch('days_between', 'touchpoint')(start, end)) }}
{%- endmacro %}

{% macro postgres__days_between(start, end) -%}
    ({{ end }} - {{ start }})
{%- endmacro %}

{% macro default__days_between(start, end) -%}
    {{ dbt.datediff(start, end, 'day') }}
{%- endmacro %}

{# The calendar year of a date, as an integer. #}
{% macro year_of(date) -%}
    {{ return(adapter.dispatch('year_of', 'touchpoint')(date)) }}
{%- endmacro %}

{% macro postgres__year_of(date) -%}
    date_part('year', {{ date }})::integer
{%- endmacro %}

{% macro default__year_of(date) -%}
    cast(extract(year from {{ date }}) as integer)
{%- endmacro %}

{# Completed years from one date to another: an age. #}
{% macro whole_years_between(start, end) -%}
    {{ return(adapter.dispatch('whole_years_between', 'touchpoint')(start, end)) }}
{%- endmacro %}

{% macro postgres__whole_years_between(start, end) -%}
    date_part('year', age({{ end }}, {{ start }}))::integer
{%- endmacro %}

{# A date as `YYYY-MM-DD`. #}
{% macro iso_date(date) -%}
    {{ return(adapter.dispatch('iso_date', 'touchpoint')(date)) }}
{%- endmacro %}

{% macro postgres__iso_date(date) -%}
    to_char({{ date }}, 'YYYY-MM-DD')
{%- endmacro %}

{# An instant as ISO 8601 in UTC with an explicit offset, e.g. `2026-11-23T10:00:00+00:00`. #}
{% macro iso_instant(instant) -%}
    {{ return(adapter.dispatch('iso_instant', 'touchpoint')(instant)) }}
{%- endmacro %}

{% macro postgres__iso_instant(instant) -%}
    to_char(({{ instant }}) at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"+00:00"')
{%- endmacro %}

{# An instant in the compact UTC form occurrence keys use, e.g. `20261123T100000`. #}
{% macro compact_instant(instant) -%}
    {{ return(adapter.dispatch('compact_instant', 'touchpoint')(instant)) }}
{%- endmacro %}

{% macro postgres__compact_instant(instant) -%}
    to_char(({{ instant }}) at time zone 'UTC', 'YYYYMMDD"T"HH24MISS')
{%- endmacro %}
