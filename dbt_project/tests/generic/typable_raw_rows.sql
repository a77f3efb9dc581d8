{#
    The raw rows staging left out because a value would not cast: one row each, naming the
    file, the row and every column that would not cast with its value (cut to 60 characters).
    Attached to the table's coverage model (models/staging/coverage), it reads only the files
    that model counts rows left out of, each through raw's `_loaded_at` index: nothing at all
    on a clean build. A lateral lookup fenced by `offset 0`, or the planner turns it into a
    join that judges the whole raw table again (45 s at 1 M customers). A row fixed in place,
    or fixed and stamped as loaded again, is no longer listed.
#}
{% test typable_raw_rows(model, raw_table) %}
    {%- set columns = raw_typed_columns(raw_table) %}
    with

    files_with_rows_left_out as (

        select
            _source,
            _loaded_at
        from {{ model }}
        where rows_left_out > 0

    )

    select
        rows_left_out._source,
        rows_left_out._row_number,
        rows_left_out.untypable_values
    from files_with_rows_left_out as files
    cross join lateral (
        select
            _source,
            _row_number,
            concat_ws(
                ', '
                {%- for column, expression, cast in columns %},
                case
                    when not {{ typable(expression, cast) }}
                        then '{{ column }} ' || quote_literal(left({{ column }}, 60))
                end
                {%- endfor %}
            ) as untypable_values
        from {{ source('raw', raw_table) }} as raw_rows
        where raw_rows._source = files._source
            and raw_rows._loaded_at = files._loaded_at
            and not ({{ typable_row(raw_table) }})
        offset 0
    ) as rows_left_out
{% endtest %}
