-- Conversions over time: per campaign and UTC day, the orders converting its messages (treated
-- group only) and the revenue credited to it, for the report's chart.
with

conversions as (

    select * from {{ ref('fct_conversions') }}
    where exposure_group = 'treated'

),

final as (

    select
        campaign,
        {{ local_date('ordered_at', "'UTC'") }} as order_date,
        count(distinct order_key) as conversions,
        coalesce(sum(revenue) filter (where is_credited), 0) as revenue

    from conversions
    group by campaign, {{ local_date('ordered_at', "'UTC'") }}

)

select * from final
