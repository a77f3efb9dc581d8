{{
    config(
        materialized='table',
        indexes=[{'columns': ['order_key']}],
        post_hook=['{{ refresh_statistics(this) }}'],
    )
}}
-- The lines of each web order: the elements of properties.items ({product_id, quantity,
-- unit_price}) when the event carries that array, else one line for the event's product_id.
-- The collector does not validate properties, so numbers are read defensively: a missing or
-- unreadable quantity is 1, an unreadable unit_price is NULL.
--
-- A table, so the triggers reading the fct_order_lines view do not unnest every order again.
with

orders as (

    select * from {{ ref('int_web_orders_deduplicated') }}

),

itemised as (

    select
        orders.order_key,
        items.line_number::integer as line_number,
        {{ clean_text(json_text('items.item', 'product_id')) }} as product_id,
        {{ safe_numeric(json_text('items.item', 'quantity')) }} as quantity,
        {{ safe_numeric(json_text('items.item', 'unit_price')) }} as unit_price

    from orders
    cross join lateral {{ json_array_rows(
        json_member('orders.properties', 'items'), 'items', 'item', position='line_number'
    ) }}
    where {{ json_is('items.item', 'object') }}

),

single_product as (

    select
        orders.order_key,
        1 as line_number,
        orders.product_id,
        {{ safe_numeric(json_text('orders.properties', 'quantity')) }} as quantity,
        {{ safe_numeric(json_text('orders.properties', 'unit_price')) }} as unit_price,
        orders.revenue

    from orders
    where orders.product_id is not null
        and not coalesce({{ json_is(json_member('orders.properties', 'items'), 'array') }}, false)

),

lines as (

    select
        order_key,
        line_number,
        product_id,
        coalesce(quantity, 1) as quantity,
        unit_price

    from itemised
    where product_id is not null

    union all

    select
        order_key,
        line_number,
        product_id,
        coalesce(quantity, 1) as quantity,
        -- A one-product order without a unit price: its revenue is the line.
        coalesce(
            unit_price,
            case
                when coalesce(quantity, 1) = 1 then revenue
                else round(revenue / nullif(quantity, 0), 4)
            end
        ) as unit_price

    from single_product

),

final as (

    select
        lines.order_key || '-' || lines.line_number as order_line_key,
        lines.order_key,
        lines.line_number,
        orders.order_id,
        orders.customer_id,
        orders.ordered_at,
        lines.product_id,
        lines.quantity,
        lines.unit_price,
        lines.quantity * lines.unit_price as line_revenue,
        orders.currency

    from lines
    inner join orders
        on orders.order_key = lines.order_key

)

select * from final
