-- Every judged occurrence; `judged_at` is the as-of instant of the run that judged it.
with

source as (

    select * from {{ source('messaging', 'occurrences') }}

),

renamed as (

    select
        campaign,
        occurrence_key,
        customer_id,
        occurred_at,
        expires_at,
        context,
        as_of as judged_at,
        outcome,
        reason,
        channel,
        send_after,
        marketing

    from source

)

select * from renamed
