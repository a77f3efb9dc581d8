{{
    config(
        indexes=[{'columns': ['product_id'], 'unique': true}],
    )
}}
-- One row per catalog product. A matches_product_id that names no catalog product is dropped
-- here (and reported by a warning test on staging), so cross-sell never offers a ghost.
with

products as (

    select * from {{ ref('stg_catalog__products') }}

),

final as (

    select
        products.product_id,
        products.product_name,
        products.category,
        products.color,
        products.price,
        products.currency,
        matches.product_id as matches_product_id,
        products.url,
        products.image_url

    from products
    left join products as matches
        on matches.product_id = products.matches_product_id
            and matches.product_id <> products.product_id

)

select * from final
