-- Store purchases of the last 7 days of a product that has a matching item (helmet → gloves,
-- trousers → jacket) the customer has never bought, on the web or in a store. The customer is
-- the till line's, found by customer id or loyalty card (fct_order_lines), so a shopper who only
-- showed their card is reached too; an anonymous sale reaches nobody.
with

order_lines as (

    select * from {{ ref('fct_order_lines') }}
    where customer_id is not null

),

products as (

    select * from {{ ref('dim_products') }}

),

recent_store_lines as (

    select * from order_lines
    where channel = 'store'
        and ordered_at > {{ subtract_interval(as_of(), 7, 'days') }}

),

purchases as (

    -- A product on two lines of one transaction is one purchase.
    select
        recent_store_lines.order_id as transaction_id,
        recent_store_lines.product_id,
        recent_store_lines.customer_id,
        min(recent_store_lines.store_id) as store_id,
        min(recent_store_lines.ordered_at) as purchased_at

    from recent_store_lines
    group by
        recent_store_lines.order_id,
        recent_store_lines.product_id,
        recent_store_lines.customer_id

),

final as (

    select
        purchases.transaction_id || ':' || purchases.product_id as occurrence_key,
        purchases.customer_id,
        purchases.purchased_at as occurred_at,
        {{ add_interval('purchases.purchased_at', 7, 'days') }} as expires_at,
        {% call json_object() %}
            'purchased', {% call json_object() %}
                'product_id', purchased.product_id,
                'name', purchased.product_name,
                'color', purchased.color
            {% endcall %},
            'match', {% call json_object() %}
                'product_id', matching.product_id,
                'name', matching.product_name,
                'color', matching.color,
                'price', matching.price,
                'currency', matching.currency,
                'url', matching.url,
                'image_url', matching.image_url
            {% endcall %},
            'store_id', purchases.store_id,
            'transaction_id', purchases.transaction_id
        {% endcall %} as context

    from purchases
    inner join products as purchased
        on purchased.product_id = purchases.product_id
    inner join products as matching
        on matching.product_id = purchased.matches_product_id
    where not exists (
            select 1
            from order_lines as owned_lines
            where owned_lines.customer_id = purchases.customer_id
                and owned_lines.product_id = matching.product_id
        )

)

select * from final
