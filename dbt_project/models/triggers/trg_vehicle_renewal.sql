-- Vehicles 3 years past delivery, for 30 local days from the anniversary: when leases end and
-- warranties run out, owners start looking at a new car.
with

owned as (

    {{ owned_vehicles() }}

),

anniversaries as (

    select
        owned.*,
        (owned.delivered_at + interval '3 years')::date as anniversary

    from owned

),

final as (

    select
        vehicle_id as occurrence_key,
        customer_id,
        {{ local_midnight('anniversary', 'timezone') }} as occurred_at,
        {{ local_midnight('anniversary + 31', 'timezone') }} as expires_at,
        jsonb_build_object(
            {{ vehicle_context_keys() }},
            'delivered_at', {{ iso_date('delivered_at') }},
            'years', 3
        ) as context

    from anniversaries
    where local_date between anniversary and anniversary + 30

)

select * from final
