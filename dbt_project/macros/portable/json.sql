{#
    JSON in the datamart (docs/portability.md): PostgreSQL's jsonb. Models build and read JSON
    only through these macros, so another adapter brings its own `<adapter>__` versions. Keys are
    always literals; the values of a JSON object are written as SQL, `'key', value, ...`, inside
    a call block:

        {% call json_object() %}
            'name', products.product_name,
            'price', products.price
        {% endcall %}
#}

{# A JSON object of the key/value pairs in the call block's body. #}
{% macro json_object() -%}
    {{ return(adapter.dispatch('json_object', 'touchpoint')(caller())) }}
{%- endmacro %}

{% macro postgres__json_object(pairs) -%}
    jsonb_build_object({{ pairs }})
{%- endmacro %}

{# Aggregate: a JSON array of the call block's value, one element per row, in `order_by`. #}
{% macro json_array_agg(order_by) -%}
    {{ return(adapter.dispatch('json_array_agg', 'touchpoint')(caller(), order_by)) }}
{%- endmacro %}

{% macro postgres__json_array_agg(element, order_by) -%}
    jsonb_agg({{ element }} order by {{ order_by }})
{%- endmacro %}

{# The empty JSON array, e.g. what an aggregate over no rows becomes. #}
{% macro empty_json_array() -%}
    {{ return(adapter.dispatch('empty_json_array', 'touchpoint')()) }}
{%- endmacro %}

{% macro postgres__empty_json_array() -%}
    '[]'::jsonb
{%- endmacro %}

{# Text that holds a JSON document, as JSON (raw text is validated before: typable_rows.sql). #}
{% macro parse_json(text) -%}
    {{ return(adapter.dispatch('parse_json', 'touchpoint')(text)) }}
{%- endmacro %}

{% macro postgres__parse_json(text) -%}
    ({{ text }})::jsonb
{%- endmacro %}

{# The member `key` of a JSON object as text (a string unquoted); NULL when absent. #}
{% macro json_text(json, key) -%}
    {{ return(adapter.dispatch('json_text', 'touchpoint')(json, key)) }}
{%- endmacro %}

{% macro postgres__json_text(json, key) -%}
    ({{ json }} ->> '{{ key }}')
{%- endmacro %}

{# The member `key` of a JSON object as JSON; NULL when absent. #}
{% macro json_member(json, key) -%}
    {{ return(adapter.dispatch('json_member', 'touchpoint')(json, key)) }}
{%- endmacro %}

{% macro postgres__json_member(json, key) -%}
    ({{ json }} -> '{{ key }}')
{%- endmacro %}

{# Whether a JSON value is of `kind`: 'object', 'array', 'string', 'number' or 'boolean'. #}
{% macro json_is(json, kind) -%}
    {{ return(adapter.dispatch('json_is', 'touchpoint')(json, kind)) }}
{%- endmacro %}

{% macro postgres__json_is(json, kind) -%}
    (jsonb_typeof({{ json }}) = '{{ kind }}')
{%- endmacro %}

{#
    A row source: one row per element of a JSON array (`alias (element)`), with its 1-based
    `position` when named, elements as text when `as_text`; no row when the value is not an
    array. Joined laterally (`cross join lateral {{ json_array_rows(...) }}`) or selected from.
#}
{% macro json_array_rows(json, alias, element, position=none, as_text=false) -%}
    {{ return(adapter.dispatch('json_array_rows', 'touchpoint')(
        json, alias, element, position, as_text
    )) }}
{%- endmacro %}

{% macro postgres__json_array_rows(json, alias, element, position, as_text) -%}
    jsonb_array_elements{{ '_text' if as_text }}(
        case
            when jsonb_typeof({{ json }}) = 'array'
                then {{ json }}
            else '[]'::jsonb
        end
    ) {{ 'with ordinality ' if position }}as {{ alias }} ({{ element }}
    {{- ', ' ~ position if position }})
{%- endmacro %}

{# Whether a JSON object has every one of `keys` (a list of names) as a member. #}
{% macro json_has_keys(json, keys) -%}
    {{ return(adapter.dispatch('json_has_keys', 'touchpoint')(json, keys)) }}
{%- endmacro %}

{% macro postgres__json_has_keys(json, keys) -%}
    ({{ json }} ?& array[
        {%- for key in keys %}'{{ key }}'{{ ', ' if not loop.last }}{% endfor -%}
    ]::text[])
{%- endmacro %}
