{#
    A till transaction is one sale: every line of `lines` (a relation of till lines with
    transaction_id, line_number, line_resolved_customer_id and line_resolved_by) takes the
    customer of the transaction's first identified line, as transaction_customer_id and
    transaction_identified_by. int_pos_lines_resolved applies it to all the lines of a
    transaction; int_pos_lines_identified to the lines purchased by the as-of instant of a
    transaction whose later lines are not yet.
#}
{% macro till_transaction_customers(lines) -%}
    select
        {{ lines }}.*,
        first_value({{ lines }}.line_resolved_customer_id) over transaction_lines
            as transaction_customer_id,
        first_value({{ lines }}.line_resolved_by) over transaction_lines
            as transaction_identified_by

    from {{ lines }}
    window transaction_lines as (
        partition by {{ lines }}.transaction_id
        order by {{ lines }}.line_resolved_customer_id is null, {{ lines }}.line_number
        rows between unbounded preceding and unbounded following
    )
{%- endmacro %}
