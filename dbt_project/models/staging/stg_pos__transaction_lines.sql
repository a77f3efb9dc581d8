{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key=['transaction_id', 'line_number'],
        indexes=[
            {'columns': ['transaction_id', 'line_number'], 'unique': true},
            {'columns': ['transaction_line_key'], 'unique': true},
            {'columns': ['_loaded_at']},
        ],
        pre_hook=['{{ serialize_builds(this) }}'],
        post_hook=['{{ refresh_statistics(this) }}'],
    )
}}
-- One row per (transaction_id, line_number): the latest loaded copy of the till line.
-- Incremental, like stg_web__events: each build types and deduplicates only the lines loaded
-- since the last one (macros/incremental.sql), a re-loaded copy replacing the line's row; no
-- as-of filter here (int_pos_lines_identified applies it). Indexed for int_pos_lines_resolved:
-- the lines loaded since its last build (`_loaded_at`), every line of a transaction.
with

source as (

    select * from {{ source('raw', 'pos_transactions') }}
    -- A row a cast below would refuse is left out (the typable_raw_rows test lists it).
    where {{ typable_row_once('pos_transactions', ref('stg_pos__transaction_lines_coverage')) }}
    -- Only what was loaded since the last build (macros/incremental.sql).
    and {{ loaded_since_last_build() }}

),

renamed as (

    select
        {{ clean_text('transaction_id') }} as transaction_id,
        btrim(line_number)::numeric::integer as line_number,
        {{ clean_text('store_id') }} as store_id,
        {{ clean_text('customer_id') }} as customer_id,
        {{ clean_text('loyalty_card_id') }} as loyalty_card_id,
        {{ clean_text('product_id') }} as product_id,
        -- A line without a quantity sold one item.
        coalesce(nullif(btrim(quantity), '')::numeric, 1) as quantity,
        nullif(btrim(unit_price), '')::numeric as unit_price,
        upper({{ clean_text('currency') }}) as currency,
        {{ to_timestamptz('btrim(purchased_at)') }} as purchased_at,
        {{ clean_text('voucher_code') }} as voucher_code,
        _source,
        _row_number,
        _loaded_at

    from source

),

latest as (

    {{ deduplicate(
        'renamed',
        partition_by='transaction_id, line_number',
        order_by='_loaded_at desc, _row_number desc, _source desc'
    ) }}

),

final as (

    select
        transaction_id,
        line_number,
        {{ dbt.concat(["transaction_id", "'-'", "line_number"]) }} as transaction_line_key,
        store_id,
        customer_id,
        loyalty_card_id,
        product_id,
        quantity,
        unit_price,
        currency,
        purchased_at,
        voucher_code,
        _source,
        _loaded_at

    from latest

)

select * from final
