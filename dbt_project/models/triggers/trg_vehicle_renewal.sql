-- Vehicles 3 years past delivery, for 30 local days from the anniversary: when leases end and
-- warranties run out, owners start looking at a new car.
with

vehicles as (

    select * from {{ ref('dim_vehicles') }}

),

customers as (

    select * from {{ ref('dim_customers') }}

),

owned as (

    select
        vehicles.*,
        customers.timezone,
        {{ local_date_at_as_of('customers.timezone') }} as local_date,
        (vehicles.delivered_at + interval '3 years')::date as anniversary

    from vehicles
    inner join customers
        on customers.customer_id = vehicles.customer_id

),

final as (

    select
        vehicle_id as occurrence_key,
        customer_id,
        {{ local_midnight('anniversary', 'timezone') }} as occurred_at,
        {{ local_midnight('anniversary + 31', 'timezone') }} as expires_at,
        jsonb_build_object(
            'vehicle_id', vehicle_id,
            'make', make,
            'model', model,
            'model_year', model_year,
            'delivered_at', {{ iso_date('delivered_at') }},
            'years', 3
        ) as context

    from owned
    where local_date between anniversary and anniversary + 30

)

select * from final
