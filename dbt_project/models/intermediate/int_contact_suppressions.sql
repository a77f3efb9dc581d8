{{ config(materialized='view') }}
-- Who must not be contacted on a channel right now (docs/architecture.md, Consent): the latest
-- consent event per customer and channel wins, so START after STOP re-subscribes. A view, not a
-- table, so the decision step always reads the events recorded up to that moment, even between dbt
-- builds.
with

events as (

    select * from {{ ref('stg_messaging__message_events') }}

),

consent_events as (

    select
        customer_id,
        channel,
        type,
        occurred_at,
        event_id
    from events
    where customer_id is not null
        and channel is not null
        and (
            type in ('unsubscribed', 'complained', 'opted_out', 'opted_in')
            -- Only a permanent bounce says the address is gone; soft bounces are retried.
            or (
                type = 'bounced'
                and lower(coalesce({{ json_text('detail', 'bounce_type') }}, ''))
                in ('hard', 'permanent')
            )
        )

),

latest as (

    {{ first_row_per(
        'consent_events',
        partition_by='customer_id, channel',
        order_by='occurred_at desc, event_id desc',
    ) }}

),

final as (

    select
        customer_id,
        channel,
        type as reason,
        occurred_at as suppressed_since
    from latest
    where type <> 'opted_in'

)

select * from final
