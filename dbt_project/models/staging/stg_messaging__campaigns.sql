-- The campaign catalog as registered by the last run (see the source's description).
with

source as (

    select * from {{ source('messaging', 'campaigns') }}

),

renamed as (

    select
        campaign,
        description,
        source_model,
        channel,
        priority,
        holdout,
        marketing,
        conversion_goal,
        conversion_window_days,
        voucher,
        active,
        registered_at

    from source

)

select * from renamed
