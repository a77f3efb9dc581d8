{{
    config(
        materialized='table',
        post_hook=['analyze {{ this }}'],
    )
}}
-- Every web event at or before the as-of instant with the customer it belongs to (DESIGN §4.1).
--
-- An event that carries a customer_id belongs to that customer. An anonymous event belongs to
-- the customer its anonymous_id was identified with most recently before it; events before the
-- device's first identification (browsing before logging in) belong to its first customer. So
-- on a shared device each identification starts a new slice of its history, and a customer is
-- never credited with what the previous user browsed. Customer ids the CRM does not know
-- resolve to NULL, as do events of a device never identified.
with

events as (

    select * from {{ ref('stg_web__events') }}
    where occurred_at <= {{ as_of() }}

),

visitors as (

    select * from {{ ref('int_web_visitors_identified') }}

),

customers as (

    select customer_id from {{ ref('stg_crm__customers') }}

),

sliced as (

    -- Slice n of a device's history starts at its n-th identification (slice 0: before any).
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
        -- Within a slice only its first event carries a customer_id.
        max(sliced.customer_id) over (
            partition by sliced.anonymous_id, sliced.identification_slice
        ) as slice_customer_id

    from sliced

),

attributed as (

    select
        slice_owners.*,
        case
            when slice_owners.customer_id is not null then slice_owners.customer_id
            when slice_owners.anonymous_id is null then null
            when slice_owners.identification_slice = 0 then visitors.first_customer_id
            else slice_owners.slice_customer_id
        end as attributed_customer_id,
        case
            when slice_owners.customer_id is not null then 'event'
            when slice_owners.anonymous_id is null then null
            when slice_owners.identification_slice = 0 and visitors.first_customer_id is not null
                then 'anonymous_id'
            when slice_owners.identification_slice > 0 then 'anonymous_id'
        end as attribution

    from slice_owners
    left join visitors
        on visitors.anonymous_id = slice_owners.anonymous_id

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
