-- Sustained interest in one product: a completion is a product view with at least 4 views of
-- that product by that customer in the 72 h up to it (one look is curiosity; four in three days
-- is a purchase being weighed). A completion is an occurrence when no other completion precedes
-- it within 30 days (at most one discount a product a month, however long the browsing goes
-- on), it lies in the 72 h before the as-of instant, and the customer has not bought the
-- product since the first of those views. Decided from the views alone, never from what earlier
-- runs sent, so every replay of an instant lists the same occurrences.
with

web_events as (

    select * from {{ ref('fct_web_events') }}

),

order_lines as (

    -- A purchase cancels an occurrence from its first view on: at most 72 h before the
    -- occurrence, so at most 144 h before the as-of instant.
    select * from {{ ref('fct_order_lines') }}
    where customer_id is not null
        and ordered_at >= {{ subtract_interval(as_of(), 144, 'hours') }}

),

products as (

    select * from {{ ref('dim_products') }}

),

product_views as (

    select
        event_id,
        customer_id,
        product_id,
        occurred_at

    from web_events
    where type = 'product_view'
        and customer_id is not null
        and product_id is not null

),

recently_viewed as (

    -- An occurrence is a view of the last 72 h: no other customer and product can have one.
    select distinct
        customer_id,
        product_id

    from product_views
    where occurred_at >= {{ subtract_interval(as_of(), 72, 'hours') }}

),

views as (

    -- A completion within the last 72 h needs the completions of the 30 days before it, and
    -- those their own 72 h of views; anything older cannot change the answer.
    select product_views.*

    from product_views
    inner join recently_viewed
        on recently_viewed.customer_id = product_views.customer_id
            and recently_viewed.product_id = product_views.product_id
    where product_views.occurred_at >= {{ subtract_interval(
            subtract_interval(subtract_interval(as_of(), 72, 'hours'), 30, 'days'), 72, 'hours'
        ) }}

),

windowed as (

    select
        views.*,
        count(*) over last_72_hours as views_in_window,
        min(occurred_at) over last_72_hours as first_view_at

    from views
    window last_72_hours as (
        partition by customer_id, product_id
        order by occurred_at
        range between {{ interval(72, 'hours') }} preceding and current row
    )

),

completions as (

    -- One per second: the occurrence key names the completion to the second.
    {{ first_row_per(
        'windowed',
        partition_by='customer_id, product_id, ' ~ dbt.date_trunc('second', 'occurred_at'),
        order_by='occurred_at',
        columns='customer_id, product_id, occurred_at, views_in_window, first_view_at',
        where='views_in_window >= 4',
    ) }}

),

sequenced as (

    select
        completions.*,
        lag(occurred_at) over (
            partition by customer_id, product_id
            order by occurred_at
        ) as previous_completion_at

    from completions

),

occurrences as (

    select sequenced.*
    from sequenced
    where (
        previous_completion_at is null
        or previous_completion_at < {{ subtract_interval('occurred_at', 30, 'days') }}
    )
    and occurred_at >= {{ subtract_interval(as_of(), 72, 'hours') }}
    and not exists (
        select 1
        from order_lines
        where order_lines.customer_id = sequenced.customer_id
            and order_lines.product_id = sequenced.product_id
            and order_lines.ordered_at >= sequenced.first_view_at
    )

),

final as (

    select
        occurrences.customer_id
        || ':' || occurrences.product_id
        || ':' || {{ compact_instant('occurrences.occurred_at') }} as occurrence_key,
        occurrences.customer_id,
        occurrences.occurred_at,
        {{ add_interval('occurrences.occurred_at', 7, 'days') }} as expires_at,
        {% call json_object() %}
            'product', {% call json_object() %}
                'product_id', products.product_id,
                'name', products.product_name,
                'price', products.price,
                'currency', products.currency,
                'url', products.url,
                'image_url', products.image_url
            {% endcall %},
            'views', occurrences.views_in_window
        {% endcall %} as context

    from occurrences
    inner join products
        on products.product_id = occurrences.product_id

)

select * from final
