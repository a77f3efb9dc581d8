{{
    config(
        indexes=[
            {'columns': ['exposure_key'], 'unique': true},
            {'columns': ['customer_id', 'exposed_at']},
        ],
        post_hook=['{{ refresh_statistics(this) }}'],
    )
}}
-- Who was exposed to a campaign, and from when its conversion window runs: each message sent
-- by the as-of instant (the treated group, from its send) and each occurrence held out (the
-- holdout group, from the instant it was judged, when it would have been sent).
with

sent as (

    select * from {{ ref('fct_messages') }}
    where sent_at is not null
        and is_campaign_message

),

held_out as (

    select * from {{ ref('stg_messaging__occurrences') }}
    where outcome = 'held_out'
        and judged_at <= {{ as_of() }}

),

campaigns as (

    select * from {{ ref('dim_campaigns') }}

),

exposures as (

    select
        campaign,
        occurrence_key,
        'treated' as exposure_group,
        message_id,
        customer_id,
        channel,
        sent_at as exposed_at

    from sent

    union all

    select
        campaign,
        occurrence_key,
        'holdout' as exposure_group,
        cast(null as uuid) as message_id,
        customer_id,
        channel,
        judged_at as exposed_at

    from held_out

),

final as (

    select
        exposures.campaign || ':' || exposures.occurrence_key as exposure_key,
        exposures.*,
        coalesce(
            campaigns.conversion_window_days, {{ var('default_conversion_window_days', 30) }}
        ) as conversion_window_days,
        case when campaigns.campaign is null then 'default' else 'catalog' end
            as conversion_window_source,
        {{ add_interval(
            'exposures.exposed_at',
            'coalesce(campaigns.conversion_window_days, '
            ~ var('default_conversion_window_days', 30) ~ ')',
            'days',
        ) }} as window_ends_at

    from exposures
    left join campaigns
        on campaigns.campaign = exposures.campaign

)

select * from final
