{{ config(severity='warn') }}
-- Data-quality warning (docs/architecture.md, The as-of instant): one row per customer whose own
-- time zone is missing or unknown, so their local dates and send windows come from their country's
-- main zone or UTC. A warning, not an error: the fallback is safe, but the CRM record deserves
-- fixing.
with

customers as (

    select * from {{ ref('int_customers_localised') }}

)

select
    customer_id,
    country,
    timezone_as_entered,
    timezone,
    timezone_source

from customers
where timezone_source <> 'customer'
