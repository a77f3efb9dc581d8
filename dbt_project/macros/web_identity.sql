{#
    Web events at the run's as-of instant with the customer each belongs to: the rows of
    `sliced` (int_web_events_sliced, every event loaded, each with the customer its device's
    history gives it and from when) that happened by as_of(), the attribution counted only once
    it holds and only for a customer in `customers` (a relation with a customer_id column; ids
    the CRM does not know resolve to NULL). A query, for views: predicates on the event's
    columns (type, occurred_at) reach the index of `sliced`.

    int_web_events_identified reads the CRM (stg_crm__customers) and feeds the orders;
    fct_web_events reads dim_customers, the same customers as a table with statistics and a
    unique index, so the triggers reading it are planned on real row counts.
#}
{% macro web_events_at_as_of(sliced, customers) -%}
    with

    events as (

        select
            sliced.*,
            case
                when sliced.attributed_from <= {{ as_of() }} then sliced.attributed_customer_id
            end as customer_id_as_of

        from {{ sliced }} as sliced
        where sliced.occurred_at <= {{ as_of() }}

    ),

    customers as (

        select customer_id from {{ customers }}

    )

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
{%- endmacro %}
