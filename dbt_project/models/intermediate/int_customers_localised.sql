{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='customer_id',
        on_schema_change='append_new_columns',
        indexes=[{'columns': ['customer_id'], 'unique': true}],
        pre_hook=['{{ serialize_builds(this) }}'],
        post_hook=['{{ refresh_statistics(this) }}'],
    )
}}
-- Each customer with the time zone their local dates and send windows use (docs/architecture.md,
-- The as-of instant): the zone they gave when PostgreSQL knows it, else their country's main zone,
-- else UTC. The fallbacks are kept visible in timezone_source and surface as a data-quality
-- warning.
--
-- A table, as its data tests and dim_customers each read every customer (a view resolved every
-- customer's zone again for each of them). Incremental on stg_crm__customers: a build resolves
-- only the customers whose row changed since the last (a newer `_loaded_at`, that copy having
-- won), about 20 s a build less at 1 M customers. A change to the seed country_timezones or to
-- the server's time zone database reaches customers already resolved only with
-- `--full-refresh`.
with

customers as (

    select * from {{ ref('stg_crm__customers') }}
    {% if is_incremental() %}
        where _loaded_at > {{ newest_held() }}
    {% endif %}

),

country_timezones as (

    select * from {{ ref('country_timezones') }}

),

-- The server's tz database, read once; zone names match case-insensitively and resolve to
-- their canonical spelling.
known_timezones as (

    {{ first_row_per(
        timezone_names(),
        partition_by='lower(name)',
        order_by='name',
        columns='lower(name) as timezone_key, name as timezone',
    ) }}

),

resolved as (

    select
        customers.*,
        customers.timezone as timezone_as_entered,
        case
            when given_zone.timezone is not null then 'customer'
            when country_zone.timezone is not null then 'country'
            else 'default'
        end as timezone_source,
        coalesce(given_zone.timezone, country_zone.timezone, 'UTC') as resolved_timezone

    from customers
    left join known_timezones as given_zone
        on given_zone.timezone_key = lower(customers.timezone)
    left join country_timezones as country_zone
        on country_zone.country_code = customers.country

),

final as (

    select
        customer_id,
        email,
        email_is_valid,
        phone,
        phone_is_valid,
        phone_as_entered,
        first_name,
        last_name,
        birth_date,
        language,
        -- The template locale: the language tag, completed with the customer's country when it
        -- names no region (fr + BE → fr-BE); template lookup falls back fr-BE → fr → default.
        case
            when language is null then null
            when
                {{ regex_matches('language', '-([A-Z]{2}|[0-9]{3})$') }} or country is null
                then language
            else language || '-' || country
        end as locale,
        country,
        resolved_timezone as timezone,
        timezone_source,
        timezone_as_entered,
        email_opt_in,
        sms_opt_in,
        loyalty_card_id,
        created_at,
        updated_at,
        _loaded_at

    from resolved

)

select * from final
