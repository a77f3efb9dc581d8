{#
    A folder's custom schema is used as-is (`staging`, `marts`, …), not dbt's default
    `<target schema>_<custom>`: the orchestration, the trigger SQL and the marketers' tools name
    these schemas directly. Without a custom schema, the target's schema applies.
#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
