-- Customers whose local date at the as-of instant is their birthday. Someone born on 29 February
-- celebrates on 28 February in other years: adding whole years to the birth date clamps to the
-- month's last day, which is exactly that rule.
with

customers as (

    select
        customer_id,
        timezone,
        birth_date,
        {{ local_date_at_as_of('timezone') }} as local_date

    from {{ ref('dim_customers') }}
    where birth_date is not null

),

celebrated as (

    select
        customer_id,
        timezone,
        local_date,
        birth_date,
        {{ year_of('local_date') }} as local_year,
        {{ shift_date(
            'birth_date', year_of('local_date') ~ ' - ' ~ year_of('birth_date'), 'years'
        ) }} as birthday

    from customers

),

final as (

    select
        customer_id || ':' || local_year as occurrence_key,
        customer_id,
        {{ local_midnight('birthday', 'timezone') }} as occurred_at,
        {{ local_midnight(add_days('birthday', 1), 'timezone') }} as expires_at,
        {% call json_object() %}
            -- The age they turn today, not dim_customers.age: on 28 February a 29 February
            -- baby has not completed the year by the calendar, yet this is their birthday.
            'age', local_year - {{ year_of('birth_date') }},
            'birthday', {{ iso_date('birthday') }}
        {% endcall %} as context

    from celebrated
    where birthday = local_date
        and birthday > birth_date

)

select * from final
