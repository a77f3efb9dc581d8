{{ config(materialized='view') }}
-- Every till line at or before the as-of instant with the customer it belongs to (the landing
-- contract's identity rule, docs/architecture.md; int_pos_lines_resolved resolves every line
-- loaded and says until when its transaction gets lines).
--
-- A view, so the as-of instant applies as it is read: a transaction whose lines were all
-- purchased by the as-of instant takes the customer resolved over all its lines; one whose
-- later lines are not yet purchased (a transaction open across the as-of instant, rare) takes
-- the first identified among the lines purchased so far, as a table rebuilt at that instant
-- would. Predicates on purchased_at and customer_id reach the indexes of int_pos_lines_resolved.
with

resolved as (

    select * from {{ ref('int_pos_lines_resolved') }}

),

settled as (

    select
        transaction_line_key,
        transaction_id,
        line_number,
        store_id,
        customer_id,
        identified_by,
        line_customer_id,
        loyalty_card_id,
        product_id,
        quantity,
        unit_price,
        line_revenue,
        currency,
        purchased_at,
        voucher_code

    from resolved
    where transaction_purchased_until <= {{ as_of() }}

),

straddling_lines as (

    select * from resolved
    where transaction_purchased_until > {{ as_of() }}
        and purchased_at <= {{ as_of() }}

),

straddling as (

    {{ till_transaction_customers('straddling_lines') }}

),

final as (

    select * from settled

    union all

    select
        transaction_line_key,
        transaction_id,
        line_number,
        store_id,
        transaction_customer_id as customer_id,
        transaction_identified_by as identified_by,
        line_customer_id,
        loyalty_card_id,
        product_id,
        quantity,
        unit_price,
        line_revenue,
        currency,
        purchased_at,
        voucher_code

    from straddling

)

select * from final
