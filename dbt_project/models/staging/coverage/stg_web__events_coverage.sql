-- What stg_web__events covers of raw.web_events:
-- each file's rows, and those left out as a cast would refuse a value (macros/typable_rows.sql).
{{ staging_coverage('web_events') }}
