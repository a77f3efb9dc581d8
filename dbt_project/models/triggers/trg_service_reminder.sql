-- Vehicles whose next service (dim_vehicles.next_service_due_at) is due within the owner's next
-- 14 local days — time to book a slot — or overdue by at most 30 days. Beyond a month overdue
-- the owner has most likely serviced elsewhere or the CRM has not heard yet: a reminder would
-- annoy more than help. The due date is part of the key, so each service cycle is reminded once.
-- The CRM keeps only the latest service, so a replay of the past sees that one (a known limit).
with

owned as (

    {{ owned_vehicles() }}

),

delivered as (

    select * from owned
    where delivered_at <= local_date

),

final as (

    select
        vehicle_id || ':' || {{ iso_date('next_service_due_at') }} as occurrence_key,
        customer_id,
        {{ local_midnight(add_days('next_service_due_at', -14), 'timezone') }} as occurred_at,
        -- The end of the trigger's own window, so data arriving late is still sent.
        {{ local_midnight(add_days('next_service_due_at', 31), 'timezone') }} as expires_at,
        {% call json_object() %}
            'due_date', {{ iso_date('next_service_due_at') }},
            'overdue_days', greatest({{ days_between('next_service_due_at', 'local_date') }}, 0),
            {{ vehicle_context_keys() }}
        {% endcall %} as context

    from delivered
    where {{ days_between('local_date', 'next_service_due_at') }} <= 14
        and {{ days_between('next_service_due_at', 'local_date') }} <= 30

)

select * from final
