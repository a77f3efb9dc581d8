{#
    Keep one row per key: the first by `order_by`. Raw tables keep every landed copy (re-exports,
    duplicate files), so every staging model over them goes through this.
#}
{% macro deduplicate(relation, partition_by, order_by) -%}
    select deduplicated.*
    from (
        select
            _rows.*,
            row_number() over (partition by {{ partition_by }} order by {{ order_by }}) as _copy_rank
        from {{ relation }} as _rows
    ) as deduplicated
    where deduplicated._copy_rank = 1
{%- endmacro %}
