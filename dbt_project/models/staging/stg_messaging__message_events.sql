-- Message events with the customer and channel they concern: their own, else their message's.
-- A view: the suppressions (int_contact_suppressions) read the events recorded up to the moment
-- of each judgement, between builds too. int_message_events_deduplicated keeps them, once each,
-- incrementally by `recorded_at`.
with

events as (

    select * from {{ source('messaging', 'message_events') }}

),

outbox as (

    select
        message_id,
        customer_id,
        channel
    from {{ source('messaging', 'outbox') }}

),

final as (

    select
        events.event_id,
        events.message_id,
        coalesce(events.customer_id, outbox.customer_id) as customer_id,
        coalesce(events.channel, outbox.channel) as channel,
        events.type,
        events.occurred_at,
        events.detail,
        events.source_event_id,
        events.recorded_at
    from events
    left join outbox on outbox.message_id = events.message_id

)

select * from final
