{{
    config(
        materialized='table',
        post_hook=['{{ refresh_statistics(this) }}'],
    )
}}
-- One row per event_id: the latest loaded copy (re-exported files repeat events).
-- A table, unlike the other staging models: deduplicating millions of events and parsing their
-- JSON is the costliest step of the build, so it runs once, not once per reader and per test,
-- and the planner gets real row counts for the identity resolution downstream.
with

source as (

    select * from {{ source('raw', 'web_events') }}
    -- A row a cast below would refuse is left out (the typable_raw_rows test lists it).
    where {{ typable_row('web_events') }}

),

renamed as (

    select
        {{ clean_text('event_id') }} as event_id,
        -- Always carries an offset (landing contract), so a plain cast is exact.
        {{ parse_instant('btrim(occurred_at)') }} as occurred_at,
        {{ clean_text('anonymous_id') }} as anonymous_id,
        {{ clean_text('customer_id') }} as customer_id,
        btrim(type) as type,
        {{ clean_text('product_id') }} as product_id,
        {{ clean_text('order_id') }} as order_id,
        nullif(btrim(revenue), '')::numeric as revenue,
        upper({{ clean_text('currency') }}) as currency,
        {{ clean_text('url') }} as url,
        {{ parse_json("nullif(btrim(properties), '')") }} as properties,
        _source,
        _row_number,
        _loaded_at

    from source

),

latest as (

    {{ deduplicate(
        'renamed',
        partition_by='event_id',
        order_by='_loaded_at desc, _row_number desc, _source desc'
    ) }}

),

final as (

    select
        event_id,
        occurred_at,
        anonymous_id,
        customer_id,
        type,
        product_id,
        order_id,
        revenue,
        currency,
        url,
        properties,
        _source,
        _loaded_at

    from latest

)

select * from final
