{{
    config(
        materialized='table',
        indexes=[{'columns': ['order_key'], 'unique': true}],
        post_hook=['{{ refresh_statistics(this) }}'],
    )
}}
-- One row per web order: its first order_completed event (a reloaded confirmation page fires
-- the event again under a new event_id). An order_completed without an order_id is an order of
-- its own, keyed by its event_id.
--
-- A table at the as-of instant, built once a build: fct_orders, int_web_order_lines_unnested and,
-- through it, every reader of the fct_order_lines view would otherwise each deduplicate the
-- order events again.
with

events as (

    select * from {{ ref('int_web_events_identified') }}
    where type = 'order_completed'

),

keyed as (

    select
        events.*,
        coalesce(events.order_id, 'event:' || events.event_id) as web_order_id

    from events

),

first_completion as (

    {{ deduplicate('keyed', partition_by='web_order_id', order_by='occurred_at, event_id') }}

),

final as (

    select
        'web-' || web_order_id as order_key,
        web_order_id as order_id,
        event_id,
        customer_id,
        identified_by,
        anonymous_id,
        occurred_at as ordered_at,
        revenue,
        currency,
        product_id,
        properties,
        -- Vouchers travel in properties as voucher_code (one) or voucher_codes (a list).
        (
            select {{ sorted_distinct_list('codes.code', ',') }}
            from (
                select btrim({{ json_text('properties', 'voucher_code') }}) as code
                where {{ json_is(json_member('properties', 'voucher_code'), 'string') }}
                union all
                select btrim(listed.code)
                from {{ json_array_rows(
                    json_member('properties', 'voucher_codes'), 'listed', 'code', as_text=true
                ) }}
            ) as codes
            where codes.code <> ''
        ) as voucher_codes

    from first_completion

)

select * from final
