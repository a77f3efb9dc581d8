{{
    config(
        materialized='table',
        post_hook=['{{ refresh_statistics(this) }}'],
    )
}}
-- Every web event at or before the as-of instant with the customer it belongs to (the landing
-- contract's identity rule, docs/architecture.md).
--
-- An event that carries a customer_id belongs to that customer. An anonymous event belongs to
-- the customer its anonymous_id was identified with most recently before it (a login, or any
-- event of a logged-in visitor); events before the device's first identification (browsing
-- before logging in) belong to its first customer. So each identification starts a new slice of
-- a shared device's history, and nobody is credited with what the previous user browsed.
-- A customer_id the CRM does not know (yet) resolves to NULL, as does every event of a device
-- never identified and every event without an anonymous_id or customer_id.
with

events as (

    select * from {{ ref('stg_web__events') }}
    where occurred_at <= {{ as_of() }}

),

customers as (

    select customer_id from {{ ref('stg_crm__customers') }}

),

sliced as (

    -- Slice n of a device's history starts at its n-th identification; slice 0 precedes them.
    select
        events.*,
        count(events.customer_id) over (
            partition by events.anonymous_id
            order by events.occurred_at, events.event_id
            rows between unbounded preceding and current row
        ) as identification_slice

    from events

),

slice_owners as (

    select
        sliced.*,
        -- Only the first event of a slice carries a customer_id.
        max(sliced.customer_id) over (
            partition by sliced.anonymous_id, sliced.identification_slice
        ) as slice_customer_id,
        max(case when sliced.identification_slice = 1 then sliced.customer_id end) over (
            partition by sliced.anonymous_id
        ) as first_customer_id

    from sliced

),

attributed as (

    select
        slice_owners.*,
        case
            when customer_id is not null then customer_id
            when anonymous_id is null then null
            when identification_slice = 0 then first_customer_id
            else slice_customer_id
        end as attributed_customer_id,
        case
            when customer_id is not null then 'event'
            when anonymous_id is not null then 'anonymous_id'
        end as attribution

    from slice_owners

),

final as (

    select
        attributed.event_id,
        attributed.occurred_at,
        attributed.anonymous_id,
        customers.customer_id,
        case when customers.customer_id is not null then attributed.attribution end
            as identified_by,
        attributed.customer_id as event_customer_id,
        attributed.type,
        attributed.product_id,
        attributed.order_id,
        attributed.revenue,
        attributed.currency,
        attributed.url,
        attributed.properties

    from attributed
    left join customers
        on customers.customer_id = attributed.attributed_customer_id

)

select * from final
