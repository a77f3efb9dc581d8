-- Per experiment step of a journey (journey, version, step) and per variant: the recipients sent
-- the variant by the as-of instant, and how many of them opened, clicked and converted, each
-- recipient counted once however many of the step's messages they got. A step is listed from
-- its first occurrence with a variant, sent or not yet.
--
-- The variant is the one the journey engine put in the occurrence's context; sends and
-- reactions are marts.fct_messages', conversions marts.fct_conversions' (an order within the
-- conversion window of the message's campaign, or redeeming its voucher): the definitions the
-- campaign report counts by. %(as_of)s NULL reads all the datamart holds.
with

variant_occurrences as (

    select
        campaign,
        occurrence_key,
        context -> 'journey' ->> 'name' as journey,
        context -> 'journey' ->> 'version' as version,
        context -> 'journey' ->> 'step' as step,
        context -> 'journey' ->> 'variant' as variant

    from messaging.occurrences
    where context -> 'journey' ->> 'variant' is not null

),

sent as (

    select
        message_id,
        campaign,
        occurrence_key,
        customer_id,
        opened_at <= coalesce(%(as_of)s::timestamptz, 'infinity') as opened,
        clicked_at <= coalesce(%(as_of)s::timestamptz, 'infinity') as clicked

    from marts.fct_messages
    where sent_at <= coalesce(%(as_of)s::timestamptz, 'infinity')

),

converted as (

    select distinct message_id

    from marts.fct_conversions
    where exposure_group = 'treated'
        and ordered_at <= coalesce(%(as_of)s::timestamptz, 'infinity')

)

select
    variant_occurrences.journey,
    variant_occurrences.version,
    variant_occurrences.step,
    variant_occurrences.variant,
    count(distinct sent.customer_id) as sent,
    count(distinct sent.customer_id) filter (where sent.opened) as opened,
    count(distinct sent.customer_id) filter (where sent.clicked) as clicked,
    count(distinct sent.customer_id) filter (where converted.message_id is not null) as converted

from variant_occurrences
left join sent
    on sent.campaign = variant_occurrences.campaign
        and sent.occurrence_key = variant_occurrences.occurrence_key
left join converted
    on converted.message_id = sent.message_id
group by 1, 2, 3, 4
order by 1, 2, 3, 4
