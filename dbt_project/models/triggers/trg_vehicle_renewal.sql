-- Vehicles 3 years past delivery, for 30 local days from the anniversary: when leases end and
-- warranties run out, owners start looking at a new car.
with

owned as (

    {{ owned_vehicles() }}

),

anniversaries as (

    select
        owned.*,
        {{ shift_date('owned.delivered_at', 3, 'years') }} as anniversary

    from owned

),

final as (

    select
        vehicle_id as occurrence_key,
        customer_id,
        {{ local_midnight('anniversary', 'timezone') }} as occurred_at,
        {{ local_midnight(add_days('anniversary', 31), 'timezone') }} as expires_at,
        {% call json_object() %}
            'delivered_at', {{ iso_date('delivered_at') }},
            'years', 3,
            {{ vehicle_context_keys() }}
        {% endcall %} as context

    from anniversaries
    where local_date between anniversary and {{ add_days('anniversary', 30) }}

)

select * from final
