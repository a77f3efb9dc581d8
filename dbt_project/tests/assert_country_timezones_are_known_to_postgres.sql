-- Every zone in the country_timezones seed must be one the warehouse knows (timezone_names()): it
-- is the fallback for customers whose own zone is unknown, so a bad row would break their local
-- dates.
with

country_timezones as (

    select * from {{ ref('country_timezones') }}

),

known_timezones as (

    select name as timezone from {{ timezone_names() }}

)

select
    country_timezones.country_code,
    country_timezones.timezone
from country_timezones
left join known_timezones
    on known_timezones.timezone = country_timezones.timezone
where known_timezones.timezone is null
