-- Customers created in the CRM within the 7 days before the as-of instant who have not ordered
-- yet: the entry of the welcome series. The context carries the three best sellers of the 30
-- days before the as-of (by units sold, web and store), for the step that shows them.
with

customers as (

    select * from {{ ref('dim_customers') }}
    where created_at is not null
        and created_at <= {{ as_of() }}
        and created_at > {{ subtract_interval(as_of(), 7, 'days') }}
        and orders_count = 0

),

order_lines as (

    select * from {{ ref('fct_order_lines') }}
    where ordered_at > {{ subtract_interval(as_of(), 30, 'days') }}

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
            {% call json_array_agg(order_by='sales_rank') %}
                {% call json_object() %}
                    'product_id', product_id,
                    'name', product_name,
                    'price', price,
                    'currency', currency,
                    'url', url,
                    'image_url', image_url
                {% endcall %}
            {% endcall %},
            {{ empty_json_array() }}
        ) as products

    from ranked
    where sales_rank <= 3

),

final as (

    select
        customers.customer_id as occurrence_key,
        customers.customer_id,
        customers.created_at as occurred_at,
        {{ add_interval('customers.created_at', 7, 'days') }} as expires_at,
        {% call json_object() %}
            'created_at',
            {{ iso_date(local_date('customers.created_at', 'customers.timezone')) }},
            'bestsellers', bestsellers.products
        {% endcall %} as context

    from customers
    cross join bestsellers

)

select * from final
