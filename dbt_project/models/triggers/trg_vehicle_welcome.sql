-- Vehicles delivered in the owner's last 7 local days: a welcome while the car is new.
with

owned as (

    {{ owned_vehicles() }}

),

final as (

    select
        vehicle_id as occurrence_key,
        customer_id,
        {{ local_midnight('delivered_at', 'timezone') }} as occurred_at,
        {{ local_midnight(add_days('delivered_at', 7), 'timezone') }} as expires_at,
        {% call json_object() %}
            'delivered_at', {{ iso_date('delivered_at') }},
            {{ vehicle_context_keys() }}
        {% endcall %} as context

    from owned
    where delivered_at > {{ add_days('local_date', -7) }}
        and delivered_at <= local_date

)

select * from final
