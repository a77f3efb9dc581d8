{{
    config(
        indexes=[
            {'columns': ['event_id'], 'unique': true},
            {'columns': ['message_id']},
            {'columns': ['customer_id', 'channel', 'occurred_at']},
        ],
        post_hook=['{{ refresh_statistics(this) }}'],
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
            'same:' || {{ row_hash(
                'events.message_id, events.customer_id, events.channel, events.type,'
                ~ ' events.occurred_at, events.detail'
            ) }}
        ) as dedupe_key

    from events

),

deduplicated as (

    {{ deduplicate('keyed', partition_by='dedupe_key', order_by='event_id') }}

),

answer_candidates as (

    -- An inbound SMS (a reply, STOP, a survey answer) names a customer, not a message: it
    -- answers the latest message sent to them on that channel shortly before it.
    select
        events.event_id,
        outbox.message_id,
        outbox.sent_at

    from deduplicated as events
    inner join outbox
        on outbox.customer_id = events.customer_id
            and outbox.channel = events.channel
            and outbox.sent_at <= events.occurred_at
            and outbox.sent_at > {{ subtract_interval(
                'events.occurred_at', var('reply_attribution_days', 7), 'days'
            ) }}
    where events.message_id is null
        and events.type in ('replied', 'survey_answered', 'opted_out', 'unsubscribed', 'complained')
        and {{ is_measured_campaign('outbox.campaign') }}

),

answered as (

    {{ first_row_per(
        'answer_candidates',
        partition_by='event_id',
        order_by='sent_at desc, message_id asc',
        columns='event_id, message_id',
    ) }}

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
                and {{ regex_matches(
                    'btrim(' ~ json_text('events.detail', 'score') ~ ')', '^(10|[0-9])$'
                ) }}
                then btrim({{ json_text('events.detail', 'score') }})::integer
        end as score,
        {{ json_text('events.detail', 'url') }} as url,
        {{ json_text('events.detail', 'bounce_type') }} as bounce_type,
        events.detail

    from deduplicated as events
    left join answered
        on answered.event_id = events.event_id
    left join outbox
        on outbox.message_id = coalesce(events.message_id, answered.message_id)

)

select * from final
