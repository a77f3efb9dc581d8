{{ config(materialized='view') }}
-- Every message event at or before the as-of instant, each once, with the message and campaign
-- it concerns and the detail worth a column (survey score, clicked URL, bounce type).
--
-- A view over the incremental int_message_events_deduplicated, like fct_web_events: a table
-- would copy every event ever recorded at every build, while that table already holds each
-- event once with its campaign and detail, and copies share their instant, so the as-of filter
-- leaves it exact. Only the attribution of inbound SMS is computed here, at each read: it
-- depends on the outbox's sent_at, which dispatch sets after the send (and a reconciliation
-- much later), so no incremental table could keep it without rereading the outbox.
with

events as (

    select * from {{ ref('int_message_events_deduplicated') }}
    where occurred_at <= {{ as_of() }}
        and not is_duplicate

),

answer_candidates as (

    -- An inbound SMS (a reply, STOP, a survey answer) names a customer, not a message: it
    -- answers the latest message sent to them on that channel shortly before it.
    select
        inbound.event_id,
        outbox.message_id,
        outbox.campaign,
        outbox.occurrence_key,
        outbox.sent_at

    -- The table again, not the `events` CTE: a CTE read twice is materialised, and a reader's
    -- filter on this view (a message, a customer) would no longer reach the table's indexes.
    from {{ ref('int_message_events_deduplicated') }} as inbound
    inner join {{ ref('stg_messaging__outbox') }} as outbox
        on outbox.customer_id = inbound.customer_id
            and outbox.channel = inbound.channel
            and outbox.sent_at <= inbound.occurred_at
            and outbox.sent_at > {{ subtract_interval(
                'inbound.occurred_at', var('reply_attribution_days', 7), 'days'
            ) }}
    where inbound.occurred_at <= {{ as_of() }}
        and not inbound.is_duplicate
        and inbound.message_id is null
        and inbound.type in (
            'replied', 'survey_answered', 'opted_out', 'unsubscribed', 'complained'
        )
        and {{ is_measured_campaign('outbox.campaign') }}

),

answered as (

    {{ first_row_per(
        'answer_candidates',
        partition_by='event_id',
        order_by='sent_at desc, message_id asc',
        columns='event_id, message_id, campaign, occurrence_key',
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
        -- An event names its message or is attributed one, never both.
        coalesce(events.campaign, answered.campaign) as campaign,
        coalesce(events.occurrence_key, answered.occurrence_key) as occurrence_key,
        events.customer_id,
        events.channel,
        events.type,
        events.occurred_at,
        events.score,
        events.url,
        events.bounce_type,
        events.detail

    from events
    left join answered
        on answered.event_id = events.event_id

)

select * from final
