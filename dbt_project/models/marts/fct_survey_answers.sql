{{
    config(
        indexes=[{'columns': ['answer_key'], 'unique': true}],
    )
}}
-- One row per answered survey: the latest valid score (0–10) given in answer to a message, its
-- NPS category, and the vehicle the survey asked about (from the occurrence's context, else the
-- vehicle as the CRM knows it now). A survey_answered event without a usable score is left out.
with

answers as (

    select * from {{ ref('fct_message_events') }}
    where type = 'survey_answered'
        and score is not null

),

keyed as (

    select
        answers.*,
        coalesce(answers.message_id::text, 'event:' || answers.event_id) as answer_key

    from answers

),

latest as (

    {{ deduplicate(
        'keyed', partition_by='answer_key', order_by='occurred_at desc, event_id desc'
    ) }}

),

occurrences as (

    select * from {{ ref('stg_messaging__occurrences') }}

),

vehicles as (

    select * from {{ ref('dim_vehicles') }}

),

final as (

    select
        latest.answer_key,
        latest.event_id,
        latest.message_id,
        latest.campaign,
        latest.occurrence_key,
        latest.customer_id,
        latest.channel,
        latest.occurred_at as answered_at,
        latest.score,
        case
            when latest.score >= 9 then 'promoter'
            when latest.score >= 7 then 'passive'
            else 'detractor'
        end as nps_category,
        {{ json_text('occurrences.context', 'vehicle_id') }} as vehicle_id,
        coalesce({{ json_text('occurrences.context', 'make') }}, vehicles.make) as make,
        coalesce({{ json_text('occurrences.context', 'model') }}, vehicles.model) as model

    from latest
    left join occurrences
        on occurrences.campaign = latest.campaign
            and occurrences.occurrence_key = latest.occurrence_key
    left join vehicles
        on vehicles.vehicle_id = {{ json_text('occurrences.context', 'vehicle_id') }}

)

select * from final
