{{
    config(
        indexes=[{'columns': ['vehicle_id'], 'unique': true}],
    )
}}
-- One row per vehicle with its owner and service schedule: the facts the vehicle campaigns
-- (welcome, service reminder, renewal, satisfaction survey) start from.
with

vehicles as (

    select * from {{ ref('stg_crm__vehicles') }}

),

final as (

    select
        vehicle_id,
        customer_id,
        make,
        model,
        model_year,
        delivered_at,
        last_service_at,
        service_interval_months,
        -- Next service: the last one (else delivery) plus the interval.
        {{ shift_date(
            'coalesce(last_service_at, delivered_at)', 'service_interval_months', 'months'
        ) }} as next_service_due_at

    from vehicles

)

select * from final
