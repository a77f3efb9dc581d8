-- What stg_pos__transaction_lines covers of raw.pos_transactions:
-- each file's rows, and those left out as a cast would refuse a value (macros/typable_rows.sql).
{{ staging_coverage('pos_transactions') }}
