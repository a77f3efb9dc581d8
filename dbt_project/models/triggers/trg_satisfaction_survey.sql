-- Vehicles delivered 7 to 13 local days ago: after a week of driving the owner has an opinion
-- and still remembers the handover; the survey's week runs out before the second week ends.
with

owned as (

    {{ owned_vehicles() }}

),

final as (

    select
        vehicle_id as occurrence_key,
        customer_id,
        {{ local_midnight(add_days('delivered_at', 7), 'timezone') }} as occurred_at,
        {{ local_midnight(add_days('delivered_at', 14), 'timezone') }} as expires_at,
        {% call json_object() %}
            'delivered_at', {{ iso_date('delivered_at') }},
            {{ vehicle_context_keys() }}
        {% endcall %} as context

    from owned
    where local_date
        between {{ add_days('delivered_at', 7) }} and {{ add_days('delivered_at', 13) }}

)

select * from final
