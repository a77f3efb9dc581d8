{#
    The raw rows the model left out because a value would not cast: one row each, naming the
    file, the row and every column that would not cast with its value (cut to 60 characters).
#}
{% test typable_raw_rows(model, raw_table) %}
    {%- set columns = raw_typed_columns(raw_table) %}
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
    from {{ source('raw', raw_table) }}
    where not ({{ typable_row(raw_table) }})
{% endtest %}
