-- One row per vehicle: the latest loaded copy.
with

source as (

    select * from {{ source('raw', 'crm_vehicles') }}
    -- A row a cast below would refuse is left out (the typable_raw_rows test lists it).
    where {{ typable_row_once('crm_vehicles', ref('stg_crm__vehicles_coverage')) }}

),

renamed as (

    select
        {{ clean_text('vehicle_id') }} as vehicle_id,
        {{ clean_text('customer_id') }} as customer_id,
        {{ clean_text('make') }} as make,
        {{ clean_text('model') }} as model,
        nullif(btrim(model_year), '')::numeric::integer as model_year,
        btrim(delivered_at)::date as delivered_at,
        nullif(btrim(last_service_at), '')::date as last_service_at,
        coalesce(nullif(btrim(service_interval_months), '')::numeric::integer, 12)
            as service_interval_months,
        _source,
        _row_number,
        _loaded_at

    from source

),

latest as (

    {{ deduplicate(
        'renamed',
        partition_by='vehicle_id',
        order_by='_loaded_at desc, _row_number desc, _source desc'
    ) }}

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
        _source,
        _loaded_at

    from latest

)

select * from final
