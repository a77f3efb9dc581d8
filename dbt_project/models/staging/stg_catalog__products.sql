-- One row per product: the latest loaded copy of the catalog row.
with

source as (

    select * from {{ source('raw', 'catalog_products') }}
    -- A row a cast below would refuse is left out (the typable_raw_rows test lists it).
    where {{ typable_row_once('catalog_products', ref('stg_catalog__products_coverage')) }}

),

renamed as (

    select
        {{ clean_text('product_id') }} as product_id,
        {{ clean_text('name') }} as product_name,
        {{ clean_text('category') }} as category,
        {{ clean_text('color') }} as color,
        nullif(btrim(price), '')::numeric as price,
        upper({{ clean_text('currency') }}) as currency,
        {{ clean_text('matches_product_id') }} as matches_product_id,
        {{ clean_text('url') }} as url,
        {{ clean_text('image_url') }} as image_url,
        _source,
        _row_number,
        _loaded_at

    from source

),

latest as (

    {{ deduplicate(
        'renamed',
        partition_by='product_id',
        order_by='_loaded_at desc, _row_number desc, _source desc'
    ) }}

),

final as (

    select
        product_id,
        product_name,
        category,
        color,
        price,
        currency,
        matches_product_id,
        url,
        image_url,
        _source,
        _loaded_at

    from latest

)

select * from final
