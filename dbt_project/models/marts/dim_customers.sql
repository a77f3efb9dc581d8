{{
    config(
        indexes=[{'columns': ['customer_id'], 'unique': true}],
        post_hook=['{{ refresh_statistics(this) }}'],
    )
}}
-- One row per customer: profile, locale and time zone, consent and suppressions, favoured
-- channel, order history, RFM scores and lifecycle stage, all as of the run's as-of instant in
-- the customer's own local calendar.
with

customers as (

    select * from {{ ref('int_customers_localised') }}

),

orders as (

    select * from {{ ref('fct_orders') }}
    where customer_id is not null

),

suppressions as (

    select * from {{ ref('int_contact_suppressions') }}

),

favoured as (

    select
        customer_id,
        channel
    from {{ ref('fct_customer_channel_engagement') }}
    where is_favoured

),

order_totals as (

    select
        customer_id,
        count(*) as orders_count,
        count(*) filter (where channel = 'web') as web_orders_count,
        count(*) filter (where channel = 'store') as store_orders_count,
        coalesce(sum(revenue), 0) as revenue_total,
        min(ordered_at) as first_order_at,
        max(ordered_at) as last_order_at

    from orders
    group by customer_id

),

histories as (

    select
        customers.*,
        {{ local_date(as_of(), 'customers.timezone') }} as local_date,
        coalesce(order_totals.orders_count, 0) as orders_count,
        coalesce(order_totals.web_orders_count, 0) as web_orders_count,
        coalesce(order_totals.store_orders_count, 0) as store_orders_count,
        coalesce(order_totals.revenue_total, 0) as revenue_total,
        order_totals.first_order_at,
        order_totals.last_order_at,
        email_block.reason as email_suppression_reason,
        sms_block.reason as sms_suppression_reason,
        favoured.channel as favoured_channel

    from customers
    left join order_totals
        on order_totals.customer_id = customers.customer_id
    left join suppressions as email_block
        on email_block.customer_id = customers.customer_id
            and email_block.channel = 'email'
    left join suppressions as sms_block
        on sms_block.customer_id = customers.customer_id
            and sms_block.channel = 'sms'
    left join favoured
        on favoured.customer_id = customers.customer_id

),

dated as (

    -- Day counts between local calendar dates, so "30 days" means the same to every customer.
    select
        histories.*,
        {{ days_between(local_date('last_order_at', 'timezone'), 'local_date') }} as recency_days,
        {{ days_between(local_date('first_order_at', 'timezone'), 'local_date') }}
            as days_since_first_order,
        case
            when birth_date <= local_date
                then {{ whole_years_between('birth_date', 'local_date') }}
        end as age

    from histories

),

scored as (

    -- Quintiles over customers with orders only (5 = best); ties are broken by the other two
    -- measures, then by customer_id, so a rebuild gives the same scores.
    select
        dated.*,
        case when orders_count > 0 then ntile(5) over (
                    partition by orders_count > 0
                    order by recency_days desc, orders_count asc, revenue_total asc, customer_id asc
                )
        end as r_score,
        case when orders_count > 0 then ntile(5) over (
                    partition by orders_count > 0
                    order by orders_count, last_order_at, revenue_total, customer_id
                )
        end as f_score,
        case when orders_count > 0 then ntile(5) over (
                    partition by orders_count > 0
                    order by revenue_total, orders_count, last_order_at, customer_id
                )
        end as m_score

    from dated

),

final as (

    select
        customer_id,
        first_name,
        last_name,
        email,
        phone,
        birth_date,
        age,
        language,
        locale,
        country,
        timezone,
        timezone_source,
        local_date,
        email_opt_in,
        sms_opt_in,
        email_is_valid,
        phone_is_valid,
        coalesce(email_opt_in and email_is_valid, false) as can_email,
        coalesce(sms_opt_in and phone_is_valid, false) as can_sms,
        email_suppression_reason is not null as email_suppressed,
        email_suppression_reason,
        sms_suppression_reason is not null as sms_suppressed,
        sms_suppression_reason,
        favoured_channel,
        loyalty_card_id,
        orders_count,
        web_orders_count,
        store_orders_count,
        revenue_total,
        first_order_at,
        last_order_at,
        recency_days,
        orders_count as frequency,
        revenue_total as monetary,
        r_score,
        f_score,
        m_score,
        case
            when orders_count = 0 then 'no_orders'
            when r_score >= 4 and f_score >= 4 and m_score >= 4 then 'champions'
            when r_score >= 3 and f_score >= 3 then 'loyal'
            when r_score >= 4 then 'promising'
            when r_score <= 2 and f_score >= 3 then 'at_risk'
            when r_score <= 2 then 'hibernating'
            else 'needs_attention'
        end as rfm_segment,
        case
            when orders_count = 0 then 'prospect'
            when days_since_first_order <= {{ var('lifecycle_new_within_days', 30) }} then 'new'
            when recency_days <= {{ var('lifecycle_active_within_days', 90) }} then 'active'
            when recency_days <= {{ var('lifecycle_lapsed_within_days', 365) }} then 'lapsed'
            else 'churned'
        end as lifecycle_stage,
        created_at,
        updated_at,
        {{ as_of() }} as as_of

    from scored

)

select * from final
