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
