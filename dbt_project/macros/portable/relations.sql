{#
    Whole-query forms and table upkeep that differ between warehouses (docs/portability.md).
#}

{#
    One row per `partition_by` (a comma-separated list of expressions): the first by `order_by`,
    from `relation` (a CTE or table name), optionally filtered by `where`. PostgreSQL's
    `distinct on` sorts once and needs no window; the portable form ranks with row_number and
    keeps `_first_rank` among the columns when `columns` is `*`.
#}
{% macro first_row_per(relation, partition_by, order_by, columns='*', where=none) -%}
    {{ return(adapter.dispatch('first_row_per', 'touchpoint')(
        relation, partition_by, order_by, columns, where
    )) }}
{%- endmacro %}

{% macro postgres__first_row_per(relation, partition_by, order_by, columns, where) -%}
    select distinct on ({{ partition_by }}) {{ columns }}
    from {{ relation }}
    {%- if where %}
    where {{ where }}
    {%- endif %}
    order by {{ partition_by }}, {{ order_by }}
{%- endmacro %}

{% macro default__first_row_per(relation, partition_by, order_by, columns, where) -%}
    select {{ columns }}
    from (
        select
            _rows.*,
            row_number() over (partition by {{ partition_by }} order by {{ order_by }})
                as _first_rank
        from {{ relation }} as _rows
        {%- if where %}
        where {{ where }}
        {%- endif %}
    ) as _ranked
    where _first_rank = 1
{%- endmacro %}

{#
    A post-hook: refresh the planner's statistics of a table just built, so the models reading
    it in the same build are planned on its real size. A no-op where the warehouse keeps its
    own statistics.
#}
{% macro refresh_statistics(relation) -%}
    {{ return(adapter.dispatch('refresh_statistics', 'touchpoint')(relation)) }}
{%- endmacro %}

{% macro postgres__refresh_statistics(relation) -%}
    analyze {{ relation }}
{%- endmacro %}

{% macro default__refresh_statistics(relation) -%}
{%- endmacro %}

{#
    The time zones the server knows, a relation with a column `name` (IANA names such as
    `Europe/Brussels`): local dates are computed by the warehouse, so its zones are the ones
    that can be used.
#}
{% macro timezone_names() -%}
    {{ return(adapter.dispatch('timezone_names', 'touchpoint')()) }}
{%- endmacro %}

{% macro postgres__timezone_names() -%}
    pg_catalog.pg_timezone_names
{%- endmacro %}

{#
    Whether text will cast to `type` (NULL does), asked of the server's own input functions
    through raw.is_valid, a function the ingest creates with the raw schema.
#}
{% macro can_cast(text, type) -%}
    {{ return(adapter.dispatch('can_cast', 'touchpoint')(text, type)) }}
{%- endmacro %}

{% macro postgres__can_cast(text, type) -%}
    raw.is_valid({{ text }}, '{{ type }}')
{%- endmacro %}

{# A hash of a row of values, NULLs included, for telling duplicate rows apart. #}
{% macro row_hash(columns) -%}
    {{ return(adapter.dispatch('row_hash', 'touchpoint')(columns)) }}
{%- endmacro %}

{% macro postgres__row_hash(columns) -%}
    md5(row({{ columns }})::text)
{%- endmacro %}

{#
    Aggregate: the value of `expression` on the first row by `order_by` among the rows where
    `where` holds (NULL when none).
#}
{% macro first_by(expression, order_by, where) -%}
    {{ return(adapter.dispatch('first_by', 'touchpoint')(expression, order_by, where)) }}
{%- endmacro %}

{% macro postgres__first_by(expression, order_by, where) -%}
    (
        array_agg({{ expression }} order by {{ order_by }})
        filter (where {{ where }})
    )[1]
{%- endmacro %}

{#
    A pre- and post-hook: the table itself refuses what its column rules forbid, NULL in the
    `not_null` columns and, in each column of `accepted_values` (a column → its values), any
    other value, instead of data tests that read the whole table again at every build (at 1 M
    customers, three such tests on stg_web__events read 10.8 M rows each). The rules are added when they
    are missing, so once a table is built (its first build, or a --full-refresh: one pass over
    it); from then on every row is checked as it is written, and a row that breaks a rule fails
    the model's build, as a failed test would. Changing a column's values replaces its rule. As
    a pre-hook, the rules are up to date before the build writes (a type newly accepted); as a
    post-hook, the table its first build made gets them. A table not built yet has none.
#}
{% macro enforce_column_rules(relation, not_null=[], accepted_values={}) -%}
    {{ return(adapter.dispatch('enforce_column_rules', 'touchpoint')(
        relation, not_null, accepted_values
    )) }}
{%- endmacro %}

{% macro postgres__enforce_column_rules(relation, not_null, accepted_values) -%}
    {#- Asked of the server, not dbt's cache of relations, which learns of a table its
        build just made only after the hooks. -#}
    {%- set exists = execute and run_query(
        "select to_regclass('" ~ relation ~ "') is not null"
    ).columns[0].values()[0] -%}
    {%- if exists -%}
        {%- set held = run_query(
            "select attname from pg_attribute where attrelid = '" ~ relation ~ "'::regclass"
            ~ " and attnum > 0 and attnotnull union all"
            ~ " select conname from pg_constraint where conrelid = '" ~ relation ~ "'::regclass"
        ).columns[0].values() -%}
        {%- set changes = [] -%}
        {%- for column in not_null if column not in held -%}
            {%- do changes.append('alter column ' ~ column ~ ' set not null') -%}
        {%- endfor -%}
        {%- for column, values in accepted_values.items() -%}
            {%- set prefix = relation.identifier ~ '_' ~ column ~ '_in_' -%}
            {%- set name = prefix ~ local_md5(values | join(','))[:8] -%}
            {%- if name not in held -%}
                {%- for outdated in held if outdated.startswith(prefix) -%}
                    {%- do changes.append('drop constraint ' ~ outdated) -%}
                {%- endfor -%}
                {%- do changes.append(
                    'add constraint ' ~ name ~ ' check (' ~ column ~ " in ('"
                    ~ values | join("', '") ~ "'))"
                ) -%}
            {%- endif -%}
        {%- endfor -%}
        {%- if changes -%}
            alter table {{ relation }} {{ changes | join(', ') }}
        {%- endif -%}
    {%- endif -%}
{%- endmacro %}

{% macro default__enforce_column_rules(relation, not_null, accepted_values) -%}
    {{ exceptions.raise_compiler_error(
        'enforce_column_rules has no version for ' ~ adapter.type() ~ ': write one, or test '
        ~ relation ~ ' with not_null and accepted_values data tests instead'
    ) }}
{%- endmacro %}
