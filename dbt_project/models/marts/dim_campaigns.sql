-- One row per campaign the catalog holds or held (a retired one is `active` false), with how
-- its results are measured: conversion goal and window, holdout fraction.
with

campaigns as (

    select * from {{ ref('stg_messaging__campaigns') }}

),

final as (

    select
        campaign,
        description,
        source_model,
        channel,
        priority,
        marketing,
        holdout,
        conversion_goal,
        conversion_window_days,
        {{ json_text('voucher', 'kind') }} as voucher_kind,
        {{ json_text('voucher', 'value') }}::numeric as voucher_value,
        {{ json_text('voucher', 'currency') }} as voucher_currency,
        {{ json_text('voucher', 'valid_days') }}::integer as voucher_valid_days,
        active,
        registered_at

    from campaigns

)

select * from final
