-- A view: nothing in the datamart reads it (per-event attribution is int_web_events_sliced's),
-- it is there for an analyst's question about a device, and as a table it re-read every web
-- event at every build (30-40 s at 1 M customers). Its key needs no data test: it is the
-- GROUP BY's, over rows whose anonymous_id is not null.
-- One row per anonymous_id ever seen together with a customer_id (a login, or any event of a
-- logged-in visitor) at or before the as-of instant (the landing contract's identity rule,
-- docs/architecture.md).
--
-- A shared device can be seen with several customers. This view names the device's current
-- owner (customer_id = the most recent identification wins) and its first one; the event-level
-- attribution in int_web_events_identified slices the device's history at each identification.
-- A customer_id the CRM does not know (yet) identifies nobody: it resolves to NULL.
with

events as (

    select * from {{ ref('stg_web__events') }}

),

customers as (

    select customer_id from {{ ref('stg_crm__customers') }}

),

identifications as (

    select
        anonymous_id,
        customer_id,
        occurred_at,
        event_id,
        row_number() over (
            partition by anonymous_id order by occurred_at desc, event_id desc
        ) as recency_rank,
        row_number() over (
            partition by anonymous_id order by occurred_at, event_id
        ) as arrival_rank

    from events
    where
        anonymous_id is not null
        and customer_id is not null
        and occurred_at <= {{ as_of() }}

),

visitors as (

    select
        anonymous_id,
        max(case when recency_rank = 1 then customer_id end) as latest_customer_id,
        max(case when arrival_rank = 1 then customer_id end) as earliest_customer_id,
        count(distinct customer_id) as customers_count,
        count(*) as identifications_count,
        min(occurred_at) as first_identified_at,
        max(occurred_at) as last_identified_at

    from identifications
    group by anonymous_id

),

final as (

    select
        visitors.anonymous_id,
        latest_customer.customer_id,
        earliest_customer.customer_id as first_customer_id,
        visitors.customers_count,
        visitors.identifications_count,
        visitors.first_identified_at,
        visitors.last_identified_at

    from visitors
    left join customers as latest_customer
        on latest_customer.customer_id = visitors.latest_customer_id
    left join customers as earliest_customer
        on earliest_customer.customer_id = visitors.earliest_customer_id

)

select * from final
