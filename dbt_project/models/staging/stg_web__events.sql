{#- The table's own column rules (enforce_column_rules): before the build writes, and on the
    table its first build made. -#}
{%- set column_rules = "{{ enforce_column_rules(this, not_null=['event_id', 'occurred_at', 'type'],
    accepted_values={'type': var('web_event_types')}) }}" -%}
{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='event_id',
        indexes=[
            {'columns': ['event_id'], 'unique': true},
            {'columns': ['_loaded_at']},
            {'columns': ['anonymous_id']},
        ],
        pre_hook=['{{ serialize_builds(this) }}', column_rules],
        post_hook=[column_rules, '{{ refresh_statistics(this) }}'],
    )
}}
-- One row per event_id: the latest loaded copy (re-exported files repeat events).
-- Incremental, unlike the other staging models: deduplicating millions of events and parsing
-- their JSON is the costliest step of a build, so each build types only the rows loaded since
-- the last one (macros/incremental.sql) and a re-loaded copy replaces the event's row (a newer
-- load is a later `_loaded_at`, so it wins as in a full build). No as-of filter: the table
-- holds every event loaded, whenever it happened; the as-of instant applies downstream
-- (int_web_events_identified). Indexed for int_web_events_sliced: rows loaded since its last
-- build (`_loaded_at`) and every event of a device that got new ones (`anonymous_id`). The
-- table holds its columns' rules itself (enforce_column_rules): no data test reads it whole.
with

source as (

    select * from {{ source('raw', 'web_events') }}
    -- A row a cast below would refuse is left out (the typable_raw_rows test lists it).
    where {{ typable_row_once('web_events', ref('stg_web__events_coverage')) }}
    -- Only what was loaded since the last build (macros/incremental.sql).
    and {{ loaded_since_last_build() }}

),

renamed as (

    select
        {{ clean_text('event_id') }} as event_id,
        -- Always carries an offset (landing contract), so a plain cast is exact.
        {{ parse_instant('btrim(occurred_at)') }} as occurred_at,
        {{ clean_text('anonymous_id') }} as anonymous_id,
        {{ clean_text('customer_id') }} as customer_id,
        btrim(type) as type,
        {{ clean_text('product_id') }} as product_id,
        {{ clean_text('order_id') }} as order_id,
        nullif(btrim(revenue), '')::numeric as revenue,
        upper({{ clean_text('currency') }}) as currency,
        {{ clean_text('url') }} as url,
        {{ parse_json("nullif(btrim(properties), '')") }} as properties,
        _source,
        _row_number,
        _loaded_at

    from source

),

latest as (

    {{ deduplicate(
        'renamed',
        partition_by='event_id',
        order_by='_loaded_at desc, _row_number desc, _source desc'
    ) }}

),

final as (

    select
        event_id,
        occurred_at,
        anonymous_id,
        customer_id,
        type,
        product_id,
        order_id,
        revenue,
        currency,
        url,
        properties,
        _source,
        _loaded_at

    from latest

)

select * from final
