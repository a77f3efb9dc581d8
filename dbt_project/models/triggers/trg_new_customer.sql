-- Customers created in the CRM within the 7 days before the as-of instant who have not ordered
-- yet: the entry of the welcome series. The context carries the three best sellers of the 30
-- days before the as-of (by units sold, web and store), for the step that shows them.
with

customers as (

    select * from {{ ref('dim_customers') }}
    where created_at is not null
        and created_at <= {{ as_of() }}
        and created_at > {{ as_of() }} - interval '7 days'
        and orders_count = 0

),

order_lines as (

    select * from {{ ref('fct_order_lines') }}
    where ordered_at > {{ as_of() }} - interval '30 days'

),

products as (

    select * from {{ ref('dim_products') }}

),

ranked as (

    select
        products.product_id,
        products.product_name,
        products.price,
        products.currency,
        products.url,
        products.image_url,
        row_number() over (
            order by sum(order_lines.quantity) desc, products.product_id
        ) as sales_rank

    from order_lines
    inner join products on products.product_id = order_lines.product_id
    group by
        products.product_id, products.product_name, products.price, products.currency,
        products.url, products.image_url

),

bestsellers as (

    select
        coalesce(
            jsonb_agg(
                jsonb_build_object(
                    'product_id', product_id,
                    'name', product_name,
                    'price', price,
                    'currency', currency,
                    'url', url,
                    'image_url', image_url
                )
                order by sales_rank
            ),
            '[]'::jsonb
        ) as products

    from ranked
    where sales_rank <= 3

),

final as (

    select
        customers.customer_id as occurrence_key,
        customers.customer_id,
        customers.created_at as occurred_at,
        customers.created_at + interval '7 days' as expires_at,
        jsonb_build_object(
            'created_at',
            {{ iso_date('(customers.created_at at time zone customers.timezone)::date') }},
            'bestsellers', bestsellers.products
        ) as context

    from customers
    cross join bestsellers

)

select * from final
