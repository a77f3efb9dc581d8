{{ config(materialized='view') }}
-- Every web event at or before the as-of instant with its resolved customer (see
-- int_web_events_sliced and macros/web_identity.sql for the identity rules). Behavioural
-- triggers read this.
--
-- A view over the incremental int_web_events_sliced, unlike the other marts: a table would copy
-- every event ever loaded at every build, while the triggers read only the window they need
-- (product views of the last weeks, cart events), through that table's (type, occurred_at)
-- index. Customers come from dim_customers (every CRM customer, as int_web_events_identified
-- reads them), a table the planner knows the size of.
with

events as (

    {{ web_events_at_as_of(ref('int_web_events_sliced'), ref('dim_customers')) }}

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
