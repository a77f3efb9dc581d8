-- What stg_catalog__products covers of raw.catalog_products:
-- each file's rows, and those left out as a cast would refuse a value (macros/typable_rows.sql).
{{ staging_coverage('catalog_products') }}
