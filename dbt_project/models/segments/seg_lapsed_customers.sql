-- Customers who bought at least twice and then stopped: the last order's local date is more
-- than 90 days (the `active` lifecycle threshold) before the customer's local date. Two orders
-- show a habit worth winning back; a one-off buyer is not lapsed, just a one-off. entered_at is
-- derived from the data (local midnight of the first day they counted as lapsed), not from when
-- a run noticed, so it is the same in every run and the win-back key stays stable.
with

customers as (

    select * from {{ ref('dim_customers') }}
    where orders_count >= 2

),

lapsed as (

    select
        customer_id,
        timezone,
        orders_count,
        last_order_at,
        recency_days,
        lifecycle_stage,
        {{ add_days(
            local_date('last_order_at', 'timezone'), var('lifecycle_active_within_days', 90) + 1
        ) }} as entered_on

    from customers
    where recency_days > {{ var('lifecycle_active_within_days', 90) }}

),

final as (

    select
        customer_id,
        {{ local_midnight('entered_on', 'timezone') }} as entered_at,
        {% call json_object() %}
            'orders_count', orders_count,
            'last_order_at', {{ iso_instant('last_order_at') }}
        {% endcall %} as context,
        orders_count,
        last_order_at,
        recency_days,
        lifecycle_stage

    from lapsed

)

select * from final
