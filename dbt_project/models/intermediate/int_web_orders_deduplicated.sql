-- One row per web order: its first order_completed event (a reloaded confirmation page fires
-- the event again under a new event_id). An order_completed without an order_id is an order of
-- its own, keyed by its event_id.
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
            select string_agg(distinct codes.code, ',' order by codes.code)
            from (
                select btrim(properties ->> 'voucher_code') as code
                where jsonb_typeof(properties -> 'voucher_code') = 'string'
                union all
                select btrim(listed.code)
                from jsonb_array_elements_text(
                        case
                            when jsonb_typeof(properties -> 'voucher_codes') = 'array'
                                then properties -> 'voucher_codes'
                            else '[]'::jsonb
                        end
                    ) as listed (code)
            ) as codes
            where codes.code <> ''
        ) as voucher_codes

    from first_completion

)

select * from final
