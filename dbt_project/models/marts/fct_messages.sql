{{
    config(
        indexes=[
            {'columns': ['message_id'], 'unique': true},
            {'columns': ['customer_id', 'sent_at']},
        ],
        post_hook=['{{ refresh_statistics(this) }}'],
    )
}}
-- One row per rendered message: its send status, when it was sent (if by the as-of instant) and
-- the first time each reaction to it was recorded.
with

messages as (

    select * from {{ ref('stg_messaging__outbox') }}

),

events as (

    select * from {{ ref('fct_message_events') }}
    where message_id is not null

),

reactions as (

    select
        message_id,
        min(occurred_at) filter (where type = 'sent') as sent_event_at,
        min(occurred_at) filter (where type = 'delivered') as delivered_at,
        min(occurred_at) filter (where type = 'opened') as opened_at,
        min(occurred_at) filter (where type = 'clicked') as clicked_at,
        min(occurred_at) filter (where type in ('replied', 'survey_answered')) as replied_at,
        min(occurred_at) filter (where type in ('unsubscribed', 'opted_out')) as unsubscribed_at,
        min(occurred_at) filter (where type = 'bounced') as bounced_at,
        min(occurred_at) filter (where type = 'complained') as complained_at,
        count(*) filter (where type = 'opened') as opens_count,
        count(*) filter (where type = 'clicked') as clicks_count,
        {{ first_by(
            'score', order_by='occurred_at desc, event_id desc', where='score is not null'
        ) }} as survey_score

    from events
    group by message_id

),

final as (

    select
        messages.message_id,
        messages.campaign,
        {{ is_measured_campaign('messages.campaign') }} as is_campaign_message,
        messages.occurrence_key,
        messages.customer_id,
        messages.channel,
        messages.locale,
        messages.status,
        messages.attempts,
        messages.created_at,
        messages.send_after,
        case
            when coalesce(messages.sent_at, reactions.sent_event_at) <= {{ as_of() }}
                then coalesce(messages.sent_at, reactions.sent_event_at)
        end as sent_at,
        reactions.delivered_at,
        reactions.opened_at,
        reactions.clicked_at,
        reactions.replied_at,
        reactions.unsubscribed_at,
        reactions.bounced_at,
        reactions.complained_at,
        coalesce(reactions.opens_count, 0) as opens_count,
        coalesce(reactions.clicks_count, 0) as clicks_count,
        reactions.survey_score

    from messages
    left join reactions
        on reactions.message_id = messages.message_id

)

select * from final
