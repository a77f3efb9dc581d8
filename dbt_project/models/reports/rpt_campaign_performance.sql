-- One row per campaign: the funnel of its messages, conversions and revenue, the holdout's
-- conversion rate and the lift over it, return per message and NPS — as of the as-of instant.
-- Rates are fractions of the messages sent (0.25 = 25 %); lift is the difference of the two
-- conversion rates, NULL without a holdout to compare with.
with

campaigns as (

    select * from {{ ref('dim_campaigns') }}

),

messages as (

    select * from {{ ref('fct_messages') }}
    where sent_at is not null
        and is_campaign_message

),

exposures as (

    select * from {{ ref('fct_campaign_exposures') }}

),

conversions as (

    select * from {{ ref('fct_conversions') }}

),

answers as (

    select * from {{ ref('fct_survey_answers') }}

),

names as (

    select campaign from campaigns
    union
    select campaign from exposures

),

funnel as (

    select
        campaign,
        count(*) as sent,
        count(delivered_at) as delivered,
        count(opened_at) as opened,
        count(clicked_at) as clicked,
        count(replied_at) as replied,
        count(unsubscribed_at) as unsubscribed,
        count(bounced_at) as bounced

    from messages
    group by campaign

),

converted as (

    select
        campaign,
        count(distinct exposure_key) filter (where exposure_group = 'treated') as converted,
        count(distinct order_key) filter (where exposure_group = 'treated') as orders,
        count(distinct order_key) filter (
            where exposure_group = 'treated' and attributed_by = 'voucher'
        ) as voucher_redemptions,
        coalesce(sum(revenue) filter (where is_credited), 0) as revenue,
        count(distinct exposure_key) filter (where exposure_group = 'holdout')
            as holdout_converted

    from conversions
    group by campaign

),

holdouts as (

    select
        campaign,
        count(*) as holdout_size

    from exposures
    where exposure_group = 'holdout'
    group by campaign

),

nps as (

    select
        campaign,
        count(*) as nps_answers,
        round(
            100.0 * (
                count(*) filter (where nps_category = 'promoter')
                - count(*) filter (where nps_category = 'detractor')
            ) / count(*),
            1
        ) as nps

    from answers
    group by campaign

),

counted as (

    select
        names.campaign,
        campaigns.description,
        campaigns.channel,
        campaigns.holdout as holdout_fraction,
        campaigns.conversion_window_days,
        coalesce(funnel.sent, 0) as sent,
        coalesce(funnel.delivered, 0) as delivered,
        coalesce(funnel.opened, 0) as opened,
        coalesce(funnel.clicked, 0) as clicked,
        coalesce(funnel.replied, 0) as replied,
        coalesce(funnel.unsubscribed, 0) as unsubscribed,
        coalesce(funnel.bounced, 0) as bounced,
        coalesce(converted.converted, 0) as converted,
        coalesce(converted.orders, 0) as orders,
        coalesce(converted.voucher_redemptions, 0) as voucher_redemptions,
        coalesce(converted.revenue, 0) as revenue,
        coalesce(holdouts.holdout_size, 0) as holdout_size,
        coalesce(converted.holdout_converted, 0) as holdout_converted,
        coalesce(nps.nps_answers, 0) as nps_answers,
        nps.nps

    from names
    left join campaigns on campaigns.campaign = names.campaign
    left join funnel on funnel.campaign = names.campaign
    left join converted on converted.campaign = names.campaign
    left join holdouts on holdouts.campaign = names.campaign
    left join nps on nps.campaign = names.campaign

),

final as (

    select
        counted.*,
        round(delivered::numeric / nullif(sent, 0), 4) as delivery_rate,
        round(opened::numeric / nullif(sent, 0), 4) as open_rate,
        round(clicked::numeric / nullif(sent, 0), 4) as click_rate,
        round(converted::numeric / nullif(sent, 0), 4) as conversion_rate,
        round(holdout_converted::numeric / nullif(holdout_size, 0), 4)
            as holdout_conversion_rate,
        round(
            converted::numeric / nullif(sent, 0)
            - holdout_converted::numeric / nullif(holdout_size, 0),
            4
        ) as lift,
        round(revenue / nullif(sent, 0), 2) as revenue_per_message,
        {{ as_of() }} as as_of

    from counted

)

select * from final
