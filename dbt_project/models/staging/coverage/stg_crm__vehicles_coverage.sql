-- What stg_crm__vehicles covers of raw.crm_vehicles:
-- each file's rows, and those left out as a cast would refuse a value (macros/typable_rows.sql).
{{ staging_coverage('crm_vehicles') }}
