{{
    config(
        indexes=[
            {'columns': ['exposure_key', 'order_key'], 'unique': true},
            {'columns': ['order_key']},
        ],
        post_hook=['{{ refresh_statistics(this) }}'],
    )
}}
-- Every order (web or store) that converts an exposure: an order by the exposed customer within
-- the campaign's conversion window after it, or an order redeeming the voucher the message
-- handed out, whoever placed it (a forwarded code, an anonymous till sale). One order may
-- convert exposures of several campaigns; its revenue is credited to one message only: the one
-- whose voucher it redeemed, else the latest one sent before it (last touch).
with

exposures as (

    select * from {{ ref('fct_campaign_exposures') }}

),

orders as (

    select * from {{ ref('fct_orders') }}

),

vouchers as (

    select * from {{ ref('stg_messaging__vouchers') }}

),

order_vouchers as (

    select
        orders.order_key,
        upper(btrim(listed.code)) as voucher_code

    from orders
    cross join lateral {{ split_to_rows('orders.voucher_codes', ',', 'listed', 'code') }}
    where orders.voucher_codes is not null

),

redeemed as (

    select
        exposures.exposure_key,
        orders.order_key,
        'voucher' as attributed_by,
        vouchers.voucher_code

    from exposures
    inner join vouchers
        on vouchers.campaign = exposures.campaign
            and vouchers.occurrence_key = exposures.occurrence_key
    inner join order_vouchers
        on order_vouchers.voucher_code = vouchers.voucher_code
    inner join orders
        on orders.order_key = order_vouchers.order_key
    where exposures.exposure_group = 'treated'
        and orders.ordered_at >= vouchers.valid_from

),

in_window as (

    select
        exposures.exposure_key,
        orders.order_key,
        'window' as attributed_by,
        cast(null as text) as voucher_code

    from exposures
    inner join orders
        on orders.customer_id = exposures.customer_id
            and orders.ordered_at > exposures.exposed_at
            and orders.ordered_at <= exposures.window_ends_at

),

candidates as (

    select * from redeemed
    union all
    select * from in_window

),

-- The voucher is the stronger evidence when an order is both.
matched as (

    {{ first_row_per(
        'candidates',
        partition_by='exposure_key, order_key',
        order_by="attributed_by = 'voucher' desc",
    ) }}

),

joined as (

    select
        matched.exposure_key,
        exposures.campaign,
        exposures.exposure_group,
        exposures.message_id,
        exposures.occurrence_key,
        exposures.customer_id,
        exposures.channel as message_channel,
        exposures.exposed_at,
        matched.order_key,
        orders.channel as order_channel,
        orders.customer_id as order_customer_id,
        orders.ordered_at,
        orders.revenue,
        orders.currency,
        matched.attributed_by,
        matched.voucher_code

    from matched
    inner join exposures
        on exposures.exposure_key = matched.exposure_key
    inner join orders
        on orders.order_key = matched.order_key

),

final as (

    select
        joined.*,
        joined.exposure_group = 'treated' and row_number() over (
            partition by joined.order_key
            order by
                joined.exposure_group = 'treated' desc,
                joined.attributed_by = 'voucher' desc,
                joined.exposed_at desc,
                joined.exposure_key asc
        ) = 1 as is_credited

    from joined

)

select * from final
