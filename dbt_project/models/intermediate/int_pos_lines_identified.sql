{{
    config(
        materialized='table',
        post_hook=['{{ refresh_statistics(this) }}'],
    )
}}
-- Every till line at or before the as-of instant with the customer it belongs to (the landing
-- contract's identity rule, docs/architecture.md):
-- its own customer_id when the CRM knows it, else the current holder of its loyalty card (per
-- the deduplicated CRM), else NULL (an anonymous store sale). Should two CRM records claim one
-- card, the most recently updated one holds it. A transaction is one sale: all its lines take
-- the customer of its first identified line, so a store order and its lines always agree.
with

lines as (

    select * from {{ ref('stg_pos__transaction_lines') }}
    where purchased_at <= {{ as_of() }}

),

customers as (

    select * from {{ ref('stg_crm__customers') }}

),

card_holders as (

    {{ first_row_per(
        'customers',
        partition_by='loyalty_card_id',
        order_by='updated_at desc, customer_id desc',
        columns='loyalty_card_id, customer_id',
        where='loyalty_card_id is not null',
    ) }}

),

lines_identified as (

    select
        lines.*,
        coalesce(known_customer.customer_id, card_holders.customer_id) as resolved_customer_id,
        case
            when known_customer.customer_id is not null then 'customer_id'
            when card_holders.customer_id is not null then 'loyalty_card_id'
        end as resolved_by

    from lines
    left join customers as known_customer
        on known_customer.customer_id = lines.customer_id
    left join card_holders
        on card_holders.loyalty_card_id = lines.loyalty_card_id

),

transactions_identified as (

    select
        lines_identified.*,
        first_value(resolved_customer_id) over transaction_lines as transaction_customer_id,
        first_value(resolved_by) over transaction_lines as transaction_identified_by

    from lines_identified
    window transaction_lines as (
        partition by transaction_id
        order by resolved_customer_id is null, line_number
        rows between unbounded preceding and unbounded following
    )

),

final as (

    select
        transaction_line_key,
        transaction_id,
        line_number,
        store_id,
        transaction_customer_id as customer_id,
        transaction_identified_by as identified_by,
        customer_id as line_customer_id,
        loyalty_card_id,
        product_id,
        quantity,
        unit_price,
        quantity * unit_price as line_revenue,
        currency,
        purchased_at,
        voucher_code

    from transactions_identified

)

select * from final
