{{
    config(
        indexes=[
            {'columns': ['event_id'], 'unique': true},
            {'columns': ['message_id']},
            {'columns': ['customer_id', 'channel', 'occurred_at']},
        ],
        post_hook=['analyze {{ this }}'],
    )
}}
-- Every message event at or before the as-of instant, each once, with the message and campaign
-- it concerns and the detail worth a column (survey score, clicked URL, bounce type).
with

events as (

    select * from {{ ref('stg_messaging__message_events') }}
    where occurred_at <= {{ as_of() }}

),

outbox as (

    select * from {{ ref('stg_messaging__outbox') }}

),

keyed as (

    -- A provider or queue may deliver one event twice: the same source event id, or without
    -- one, the same message, customer, channel, type, instant and detail.
    select
        events.*,
        coalesce(
            'source:' || events.source_event_id,
            'same:' || md5(row(
                events.message_id, events.customer_id, events.channel, events.type,
                events.occurred_at, events.detail
            )::text)
        ) as dedupe_key

    from events

),

deduplicated as (

    {{ deduplicate('keyed', partition_by='dedupe_key', order_by='event_id') }}

),

answered as (

    -- An inbound SMS (a reply, STOP, a survey answer) names a customer, not a message: it
    -- answers the latest message sent to them on that channel shortly before it.
    select distinct on (events.event_id)
        events.event_id,
        outbox.message_id

    from deduplicated as events
    inner join outbox
        on outbox.customer_id = events.customer_id
            and outbox.channel = events.channel
            and outbox.sent_at <= events.occurred_at
            and outbox.sent_at > events.occurred_at
            - make_interval(days => {{ var('reply_attribution_days', 7) }})
    where events.message_id is null
        and events.type in ('replied', 'survey_answered', 'opted_out', 'unsubscribed', 'complained')
        and {{ is_measured_campaign('outbox.campaign') }}
    order by events.event_id asc, outbox.sent_at desc, outbox.message_id asc

),

final as (

    select
        events.event_id,
        events.source_event_id,
        coalesce(events.message_id, answered.message_id) as message_id,
        case
            when events.message_id is not null then 'event'
            when answered.message_id is not null then 'latest_message'
        end as message_attributed_by,
        outbox.campaign,
        outbox.occurrence_key,
        events.customer_id,
        events.channel,
        events.type,
        events.occurred_at,
        case
            when events.type = 'survey_answered'
                and btrim(events.detail ->> 'score') ~ '^(10|[0-9])$'
                then btrim(events.detail ->> 'score')::integer
        end as score,
        events.detail ->> 'url' as url,
        events.detail ->> 'bounce_type' as bounce_type,
        events.detail

    from deduplicated as events
    left join answered
        on answered.event_id = events.event_id
    left join outbox
        on outbox.message_id = coalesce(events.message_id, answered.message_id)

)

select * from final
