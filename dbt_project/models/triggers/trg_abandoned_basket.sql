-- Baskets left behind: the products a customer added to the cart since their last web order and
-- did not remove, when the last cart activity is between 1 h and 48 h before the as-of instant.
-- Under an hour the customer may still be shopping; after 48 h the moment has passed.
with

web_events as (

    -- Only the types a basket is made of: the index on (type, occurred_at) reads those alone.
    select * from {{ ref('fct_web_events') }}
    where customer_id is not null
        and type in ('add_to_cart', 'remove_from_cart', 'order_completed')

),

products as (

    select * from {{ ref('dim_products') }}

),

cart_events as (

    select * from web_events
    where type in ('add_to_cart', 'remove_from_cart')
        and product_id is not null

),

recently_active as (

    -- Only a customer with cart activity in the last 48 h can qualify; the index on
    -- (type, occurred_at) finds them without reading every basket ever filled.
    select distinct customer_id
    from cart_events
    where occurred_at >= {{ subtract_interval(as_of(), 48, 'hours') }}

),

last_web_orders as (

    select
        customer_id,
        max(occurred_at) as last_ordered_at

    from web_events
    where type = 'order_completed'
    group by customer_id

),

events_since_last_order as (

    select cart_events.*
    from cart_events
    inner join recently_active
        on recently_active.customer_id = cart_events.customer_id
    left join last_web_orders
        on last_web_orders.customer_id = cart_events.customer_id
    where last_web_orders.last_ordered_at is null
        or cart_events.occurred_at > last_web_orders.last_ordered_at

),

removals_counted as (

    -- An add is still in the basket when no remove of that product follows it. Each event also
    -- carries what its basket is judged on (the last cart activity, the first add) so that the
    -- items and the basket come out of one aggregate: joining two aggregates on the customer
    -- was planned as a nested loop over rows estimated at one and took minutes at 1 M customers.
    select
        events_since_last_order.*,
        count(*) filter (where type = 'remove_from_cart') over (
            partition by customer_id, product_id
            order by occurred_at desc, event_id desc
            rows between unbounded preceding and current row
        ) as removals_after,
        max(occurred_at) over (partition by customer_id) as last_activity_at,
        first_value(event_id) over (
            partition by customer_id
            order by type = 'add_to_cart' desc, occurred_at, event_id
            rows between unbounded preceding and unbounded following
        ) as first_add_event_id

    from events_since_last_order

),

basket_lines as (

    select
        customer_id,
        last_activity_at,
        first_add_event_id,
        product_id,
        sum(coalesce({{ safe_numeric(json_text('properties', 'quantity')) }}, 1)) as quantity,
        min(occurred_at) as added_at

    from removals_counted
    where type = 'add_to_cart'
        and removals_after = 0
        and last_activity_at <= {{ subtract_interval(as_of(), 1, 'hours') }}
        and last_activity_at >= {{ subtract_interval(as_of(), 48, 'hours') }}
    group by customer_id, last_activity_at, first_add_event_id, product_id

),

baskets as (

    -- Only catalog products can be shown; a basket of unknown products is no basket.
    select
        basket_lines.customer_id,
        basket_lines.last_activity_at,
        basket_lines.first_add_event_id,
        {% call json_array_agg(order_by='basket_lines.added_at, basket_lines.product_id') %}
            {% call json_object() %}
                'product_id', products.product_id,
                'name', products.product_name,
                'price', products.price,
                'currency', products.currency,
                'url', products.url,
                'image_url', products.image_url,
                'quantity', basket_lines.quantity
            {% endcall %}
        {% endcall %} as items

    from basket_lines
    inner join products
        on products.product_id = basket_lines.product_id
    group by basket_lines.customer_id, basket_lines.last_activity_at, basket_lines.first_add_event_id

),

final as (

    select
        customer_id || ':' || first_add_event_id as occurrence_key,
        customer_id,
        last_activity_at as occurred_at,
        {{ add_interval('last_activity_at', 48, 'hours') }} as expires_at,
        {% call json_object() %}
            'items', items,
            'last_activity_at', {{ iso_instant('last_activity_at') }}
        {% endcall %} as context

    from baskets

)

select * from final
