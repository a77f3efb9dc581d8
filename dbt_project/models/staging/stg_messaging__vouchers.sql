-- Voucher codes handed out, upper-cased as tills and shop forms tend to record them.
with

source as (

    select * from {{ source('messaging', 'vouchers') }}

),

renamed as (

    select
        upper(btrim(code)) as voucher_code,
        campaign,
        occurrence_key,
        customer_id,
        kind,
        value,
        currency,
        valid_from,
        expires_at

    from source

)

select * from renamed
