{{
    config(
        indexes=[
            {'columns': ['type', 'occurred_at']},
            {'columns': ['customer_id', 'occurred_at']},
        ],
        post_hook=['{{ refresh_statistics(this) }}'],
    )
}}
-- Every web event at or before the as-of instant with its resolved customer (see
-- int_web_events_identified for the identity rules). Behavioural triggers read this.
with

events as (

    select * from {{ ref('int_web_events_identified') }}

),

final as (

    select
        event_id,
        occurred_at,
        anonymous_id,
        customer_id,
        identified_by,
        type,
        product_id,
        order_id,
        revenue,
        currency,
        url,
        properties

    from events

)

select * from final
