{{ config(materialized='view') }}
-- Every order line at or before the as-of instant: store till lines and the items of web orders
-- (see int_web_order_lines_unnested for how web items are read).
--
-- A view, unlike most marts: a table would copy every till line ever loaded at every build,
-- while its readers (the triggers) take the recent lines or one customer's, which reach the
-- indexes of int_pos_lines_resolved (purchased_at, customer_id) through int_pos_lines_identified.
-- The web lines are a table built once a build (int_web_order_lines_unnested).
with

web_lines as (

    select * from {{ ref('int_web_order_lines_unnested') }}

),

store_lines as (

    select * from {{ ref('int_pos_lines_identified') }}

),

web as (

    select
        order_line_key,
        order_key,
        'web' as channel,
        order_id,
        line_number,
        customer_id,
        ordered_at,
        product_id,
        quantity,
        unit_price,
        line_revenue,
        currency,
        cast(null as text) as store_id,
        cast(null as text) as voucher_code

    from web_lines

),

store as (

    select
        'store-' || store_lines.transaction_line_key as order_line_key,
        'store-' || store_lines.transaction_id as order_key,
        'store' as channel,
        store_lines.transaction_id as order_id,
        store_lines.line_number,
        store_lines.customer_id,
        store_lines.purchased_at as ordered_at,
        store_lines.product_id,
        store_lines.quantity,
        store_lines.unit_price,
        store_lines.line_revenue,
        store_lines.currency,
        store_lines.store_id,
        store_lines.voucher_code

    from store_lines

),

final as (

    select * from web
    union all
    select * from store

)

select * from final
