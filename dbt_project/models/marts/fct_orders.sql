{{
    config(
        indexes=[
            {'columns': ['order_key'], 'unique': true},
            {'columns': ['customer_id', 'ordered_at']},
            {'columns': ['ordered_at']},
        ],
        post_hook=['{{ refresh_statistics(this) }}'],
    )
}}
-- Every order at or before the as-of instant, one row each, web and store alike: web orders are
-- order_completed events (one per order_id), store orders are till transactions (one per
-- transaction_id, summed over their lines).
with

web_orders as (

    select * from {{ ref('int_web_orders_deduplicated') }}

),

web_order_lines as (

    select * from {{ ref('int_web_order_lines_unnested') }}

),

store_lines as (

    select * from {{ ref('int_pos_lines_identified') }}

),

web_line_totals as (

    select
        order_key,
        sum(line_revenue) as lines_revenue,
        count(*) as lines_count,
        sum(quantity) as items_count

    from web_order_lines
    group by order_key

),

web as (

    select
        web_orders.order_key,
        'web' as channel,
        web_orders.order_id,
        web_orders.customer_id,
        web_orders.identified_by,
        web_orders.anonymous_id,
        web_orders.ordered_at,
        -- The event's revenue is what was charged; the items only stand in when it is missing.
        coalesce(web_orders.revenue, web_line_totals.lines_revenue) as revenue,
        web_orders.currency,
        cast(null as text) as store_id,
        web_orders.voucher_codes,
        coalesce(web_line_totals.lines_count, 0) as lines_count,
        coalesce(web_line_totals.items_count, 0) as items_count

    from web_orders
    left join web_line_totals
        on web_line_totals.order_key = web_orders.order_key

),

store_totals as (

    select
        transaction_id,
        -- Every line of a transaction carries the transaction's customer.
        min(customer_id) as customer_id,
        min(identified_by) as identified_by,
        min(purchased_at) as ordered_at,
        sum(line_revenue) as revenue,
        min(currency) as currency,
        min(store_id) as store_id,
        {{ sorted_distinct_list('voucher_code', ',') }} as voucher_codes,
        count(*) as lines_count,
        sum(quantity) as items_count

    from store_lines
    group by transaction_id

),

store as (

    select
        'store-' || store_totals.transaction_id as order_key,
        'store' as channel,
        store_totals.transaction_id as order_id,
        store_totals.customer_id,
        store_totals.identified_by,
        cast(null as text) as anonymous_id,
        store_totals.ordered_at,
        store_totals.revenue,
        store_totals.currency,
        store_totals.store_id,
        store_totals.voucher_codes,
        store_totals.lines_count,
        store_totals.items_count

    from store_totals

),

final as (

    select * from web
    union all
    select * from store

)

select * from final
