-- Net Promoter Score per campaign and vehicle make, from the survey answers (0–10): promoters
-- answer 9–10, passives 7–8, detractors 0–6; NPS = % promoters − % detractors (−100 to 100).
-- The CRM knows no dealer for a vehicle, so there is no dealer breakdown. Answers not about a
-- vehicle count under the make `unknown`.
with

answers as (

    select * from {{ ref('fct_survey_answers') }}

),

counted as (

    select
        campaign,
        coalesce(make, 'unknown') as make,
        count(*) as answers,
        count(*) filter (where nps_category = 'promoter') as promoters,
        count(*) filter (where nps_category = 'passive') as passives,
        count(*) filter (where nps_category = 'detractor') as detractors,
        round(avg(score), 2) as average_score

    from answers
    group by campaign, coalesce(make, 'unknown')

),

final as (

    select
        counted.*,
        round(100.0 * (promoters - detractors) / answers, 1) as nps,
        {{ as_of() }} as as_of

    from counted

)

select * from final
