{#
    Each vehicle of a known customer, with the owner's time zone and local date at the run's
    as-of instant: what every vehicle trigger starts from.
#}
{% macro owned_vehicles() -%}
    select
        vehicles.*,
        customers.timezone,
        {{ local_date_at_as_of('customers.timezone') }} as local_date

    from {{ ref('dim_vehicles') }} as vehicles
    inner join {{ ref('dim_customers') }} as customers
        on customers.customer_id = vehicles.customer_id
{%- endmacro %}

{# The context keys every vehicle template can count on (docs/triggers.md). #}
{% macro vehicle_context_keys() -%}
    'vehicle_id', vehicle_id, 'make', make, 'model', model, 'model_year', model_year
{%- endmacro %}
