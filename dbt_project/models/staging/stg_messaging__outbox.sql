-- One row per rendered message, without its bodies and recipient (the marts need neither).
with

source as (

    select * from {{ source('messaging', 'outbox') }}

),

renamed as (

    select
        message_id,
        campaign,
        occurrence_key,
        customer_id,
        channel,
        locale,
        status,
        attempts,
        send_after,
        expires_at,
        created_at,
        sent_at

    from source

)

select * from renamed
