-- What stg_crm__customers covers of raw.crm_customers:
-- each file's rows, and those left out as a cast would refuse a value (macros/typable_rows.sql).
{{ staging_coverage('crm_customers') }}
