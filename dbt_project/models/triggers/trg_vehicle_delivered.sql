-- Every vehicle delivered on or before its owner's local date, from delivery until 3 years and
-- 31 days after it: the entry of the vehicle_lifecycle journey, which times its own steps
-- (welcome, survey, service reminders, renewal) from the dates of this context. A vehicle
-- delivered before the journey existed enrols too, and the steps whose time is past are
-- recorded expired rather than sent. The journey reads the context as it stands at each run, so
-- the next service date follows the CRM's service records (`dim_vehicles.next_service_due_at`).
with

owned as (

    {{ owned_vehicles() }}

),

final as (

    select
        vehicle_id as occurrence_key,
        customer_id,
        {{ local_midnight('delivered_at', 'timezone') }} as occurred_at,
        {{ local_midnight(add_days(shift_date('delivered_at', 3, 'years'), 31), 'timezone') }}
            as expires_at,
        {% call json_object() %}
            'delivered_at', {{ iso_date('delivered_at') }},
            'years', 3,
            'due_date', {{ iso_date('next_service_due_at') }},
            'overdue_days', greatest({{ days_between('next_service_due_at', 'local_date') }}, 0),
            {{ vehicle_context_keys() }}
        {% endcall %} as context

    from owned
    where delivered_at <= local_date
        and {{ add_days(shift_date('delivered_at', 3, 'years'), 31) }} > local_date

)

select * from final
