-- Every web event at or before the as-of instant with the customer it belongs to (the landing
-- contract's identity rule, docs/architecture.md; int_web_events_sliced slices each device's
-- history and says from when each attribution holds).
--
-- A view, so the as-of instant and the CRM apply as it is read: browsing before a device's
-- first identification belongs to that customer only once the identification has happened by
-- the as-of instant, and a customer_id the CRM does not know (yet) resolves to NULL, as does
-- every event of a device never identified and every event without an anonymous_id or
-- customer_id. Predicates on the event's columns (type, occurred_at) reach the table's index.
with

events as (

    select
        sliced.*,
        case
            when sliced.attributed_from <= {{ as_of() }} then sliced.attributed_customer_id
        end as customer_id_as_of

    from {{ ref('int_web_events_sliced') }} as sliced
    where sliced.occurred_at <= {{ as_of() }}

),

customers as (

    select customer_id from {{ ref('stg_crm__customers') }}

),

final as (

    select
        events.event_id,
        events.occurred_at,
        events.anonymous_id,
        customers.customer_id,
        case when customers.customer_id is not null then events.attribution end
            as identified_by,
        events.event_customer_id,
        events.type,
        events.product_id,
        events.order_id,
        events.revenue,
        events.currency,
        events.url,
        events.properties

    from events
    left join customers
        on customers.customer_id = events.customer_id_as_of

)

select * from final
