{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key=['transaction_id', 'line_number'],
        indexes=[
            {'columns': ['transaction_id', 'line_number'], 'unique': true},
            {'columns': ['transaction_line_key'], 'unique': true},
            {'columns': ['_loaded_at']},
            {'columns': ['customer_id', 'purchased_at']},
            {'columns': ['purchased_at']},
            {'columns': ['transaction_purchased_until']},
            {'columns': ['line_resolved_customer_id']},
            {'columns': ['line_customer_id']},
            {'columns': ['loyalty_card_id']},
        ],
        pre_hook=['{{ serialize_builds(this) }}'],
        post_hook=['{{ refresh_statistics(this) }}'],
    )
}}
-- Every till line loaded, whenever it happened, with the customer the CRM gives it (the landing
-- contract's identity rule, docs/architecture.md); int_pos_lines_identified reads it at the
-- as-of instant.
--
-- A line belongs to its own customer_id when the CRM knows it, else to the current holder of
-- its loyalty card (should two CRM records claim one card, the most recently updated one holds
-- it), else to nobody (`line_resolved_customer_id`). A transaction is one sale: all its lines
-- take the customer of its first identified line (`customer_id`). That needs all its lines, and
-- the as-of instant only decides which lines count, so the transaction's customer holds at
-- every instant once its last line is purchased (`transaction_purchased_until`); the rare
-- transaction whose lines straddle the as-of instant is resolved again by the view from the
-- lines' own customers.
--
-- Incremental by transaction: a build resolves again every line of each transaction that got
-- new or re-loaded lines, or one of whose lines a CRM change may move: a line whose own
-- customer_id, resolved customer or loyalty card is named by a CRM row loaded since the last
-- build read the CRM (`_crm_loaded_before`, that build's load cutoff, macros/incremental.sql),
-- found through raw's `_loaded_at` index rather than by deduplicating the whole CRM. A card
-- changing hands touches its old holder's lines (resolved to the holder, whose row names the
-- change) and its new holder's card (on the new holder's row), so both are found. Everything
-- else keeps its row.
-- depends_on: {{ source('raw', 'crm_customers') }}
with

customers as (

    -- Only what identity needs, so the CRM's contacts are not normalised for nothing.
    select
        customer_id,
        loyalty_card_id,
        updated_at

    from {{ ref('stg_crm__customers') }}

),

{% if is_incremental() %}

crm_changed as (

    -- The customers and cards of the CRM rows loaded since the last build read the CRM, cleaned
    -- as stg_crm__customers cleans them. A copy that does not win (an older update loaded late)
    -- moves nothing: resolving its lines again changes nothing.
    select
        {{ clean_text('customer_id') }} as customer_id,
        {{ clean_text('loyalty_card_id') }} as loyalty_card_id

    from {{ source('raw', 'crm_customers') }}
    where _loaded_at >= {{ newest_held('_crm_loaded_before') }}

),

changed_transactions as (

    select staged.transaction_id
    from {{ ref('stg_pos__transaction_lines') }} as staged
    where staged._loaded_at > (
        select coalesce(max(_loaded_at), {{ earliest_instant() }}) from {{ this }}
    )

    union

    select held.transaction_id
    from {{ this }} as held
    inner join crm_changed
        on crm_changed.customer_id = held.line_resolved_customer_id

    union

    select held.transaction_id
    from {{ this }} as held
    inner join crm_changed
        on crm_changed.customer_id = held.line_customer_id

    union

    select held.transaction_id
    from {{ this }} as held
    inner join crm_changed
        on crm_changed.loyalty_card_id = held.loyalty_card_id

),

{% endif %}

lines as (

    select staged.*
    from {{ ref('stg_pos__transaction_lines') }} as staged
    {% if is_incremental() %}
        inner join changed_transactions
            on changed_transactions.transaction_id = staged.transaction_id
    {% endif %}

),

card_holders as (

    {{ first_row_per(
        'customers',
        partition_by='loyalty_card_id',
        order_by='updated_at desc, customer_id desc',
        columns='loyalty_card_id, customer_id',
        where='loyalty_card_id in (select lines.loyalty_card_id from lines)',
    ) }}

),

lines_resolved as (

    select
        lines.*,
        coalesce(known_customer.customer_id, card_holders.customer_id)
            as line_resolved_customer_id,
        case
            when known_customer.customer_id is not null then 'customer_id'
            when card_holders.customer_id is not null then 'loyalty_card_id'
        end as line_resolved_by

    from lines
    left join customers as known_customer
        on known_customer.customer_id = lines.customer_id
    left join card_holders
        on card_holders.loyalty_card_id = lines.loyalty_card_id

),

transactions_resolved as (

    {{ till_transaction_customers('lines_resolved') }}

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
        line_resolved_customer_id,
        line_resolved_by,
        product_id,
        quantity,
        unit_price,
        quantity * unit_price as line_revenue,
        currency,
        purchased_at,
        max(purchased_at) over (partition by transaction_id) as transaction_purchased_until,
        voucher_code,
        _loaded_at,
        {{ load_cutoff() }} as _crm_loaded_before

    from transactions_resolved

)

select * from final
