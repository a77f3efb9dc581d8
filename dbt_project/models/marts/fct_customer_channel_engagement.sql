{{
    config(
        indexes=[{'columns': ['customer_id', 'channel'], 'unique': true}],
        post_hook=['{{ refresh_statistics(this) }}'],
    )
}}
-- How each customer responds on each channel: the messages sent to them in the engagement window
-- before the as-of instant (var engagement_window_days) and what they did with them.
--
-- A response is a click or a reply (a survey answer is one). The favoured channel
-- is the one with the strictly higher response rate; opens only break a tie (say, neither
-- channel clicked): only email has them, and mail privacy proxies open every message on
-- delivery, so on their own they would favour email for customers who never read it. No
-- response and no open, or a tie on both, measures no preference.
with

sent as (

    select * from {{ ref('fct_messages') }}
    where is_campaign_message
        and sent_at
        > {{ subtract_interval(as_of(), var('engagement_window_days', 180), 'days') }}

),

counted as (

    select
        customer_id,
        channel,
        count(*) as messages_sent,
        count(delivered_at) as messages_delivered,
        count(opened_at) as messages_opened,
        count(clicked_at) as messages_clicked,
        count(replied_at) as messages_replied,
        count(*) filter (where clicked_at is not null or replied_at is not null)
            as messages_responded,
        max(sent_at) as last_sent_at,
        greatest(max(clicked_at), max(replied_at)) as last_responded_at

    from sent
    group by customer_id, channel

),

rated as (

    select
        counted.*,
        round(messages_delivered::numeric / messages_sent, 4) as delivery_rate,
        round(messages_opened::numeric / messages_sent, 4) as open_rate,
        round(messages_clicked::numeric / messages_sent, 4) as click_rate,
        round(messages_replied::numeric / messages_sent, 4) as reply_rate,
        round(messages_responded::numeric / messages_sent, 4) as response_rate

    from counted

),

ranked as (

    select
        rated.*,
        rank() over (
            partition by customer_id order by response_rate desc, open_rate desc
        ) as engagement_rank,
        count(*) over (partition by customer_id, response_rate, open_rate) as channels_alike

    from rated

),

final as (

    select
        customer_id,
        channel,
        messages_sent,
        messages_delivered,
        messages_opened,
        messages_clicked,
        messages_replied,
        messages_responded,
        delivery_rate,
        open_rate,
        click_rate,
        reply_rate,
        response_rate,
        last_sent_at,
        last_responded_at,
        engagement_rank = 1
        and channels_alike = 1
        and (messages_responded > 0 or messages_opened > 0) as is_favoured

    from ranked

)

select * from final
