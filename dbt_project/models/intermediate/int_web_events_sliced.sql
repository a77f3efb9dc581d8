{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='event_id',
        indexes=[
            {'columns': ['event_id'], 'unique': true},
            {'columns': ['type', 'occurred_at']},
        ],
        pre_hook=['{{ serialize_builds(this) }}'],
        post_hook=['{{ refresh_statistics(this) }}'],
    )
}}
-- Every web event loaded, whenever it happened, with the customer its device's history gives it
-- (the landing contract's identity rule, docs/architecture.md); int_web_events_identified reads
-- it at the as-of instant.
--
-- An event that carries a customer_id belongs to that customer. An anonymous event belongs to
-- the customer its anonymous_id was identified with most recently before it (a login, or any
-- event of a logged-in visitor); events before the device's first identification belong to its
-- first customer, from the instant of that identification (`attributed_from`). Every other
-- attribution holds from the event itself, so only that one depends on the as-of instant, and a
-- column says from when: the table holds no as-of and serves every instant, replays included.
--
-- Incremental by device: a new event (a login arriving late, a re-loaded copy moving an event
-- to another device) can change the attribution of older events of its device, so a build
-- recomputes every event of each device that got new or changed events, and only those. Devices
-- are small (tens of events) while the table holds every event, so this reads a sliver of what a
-- full recomputation would. Keeping the slicing in a view instead would sort every event by
-- device at every read of every trigger.
with

{% if is_incremental() %}

changed as (

    select
        event_id,
        anonymous_id

    from {{ ref('stg_web__events') }}
    where _loaded_at > {{ newest_held() }}

),

devices as (

    -- The devices of the new copies, and those their events belonged to until now.
    select anonymous_id
    from changed
    where anonymous_id is not null

    union

    -- Looked up through the unique index on event_id (see `events` below).
    select held.anonymous_id
    from changed
    cross join lateral (
        select anonymous_id
        from {{ this }}
        where event_id = changed.event_id
        offset 0
    ) as held
    where held.anonymous_id is not null

),

{% endif %}

events as (

    {% if not is_incremental() %}

        select * from {{ ref('stg_web__events') }}

    {% else %}

        -- Each device's events looked up through the index on anonymous_id: a plain join to
        -- `devices` (a CTE, without statistics) was planned for hundreds of thousands of devices
        -- and read every event instead (84 s for a day's 38 k devices at 1 M customers). The
        -- `offset 0` keeps the lookup a per-device subquery the planner cannot turn back into
        -- that join.
        select staged.*
        from devices
        cross join lateral (
            select *
            from {{ ref('stg_web__events') }}
            where anonymous_id = devices.anonymous_id
            offset 0
        ) as staged

        union all

        -- An event without a device is its own history.
        select staged.*
        from {{ ref('stg_web__events') }} as staged
        inner join changed
            on changed.event_id = staged.event_id
        where staged.anonymous_id is null

    {% endif %}

),

sliced as (

    -- Slice n of a device's history starts at its n-th identification; slice 0 precedes them.
    select
        events.*,
        count(events.customer_id) over (
            partition by events.anonymous_id
            order by events.occurred_at, events.event_id
            rows between unbounded preceding and current row
        ) as identification_slice

    from events

),

slice_owners as (

    select
        sliced.*,
        -- Only the first event of a slice carries a customer_id.
        max(sliced.customer_id) over (
            partition by sliced.anonymous_id, sliced.identification_slice
        ) as slice_customer_id,
        max(case when sliced.identification_slice = 1 then sliced.customer_id end) over (
            partition by sliced.anonymous_id
        ) as first_customer_id,
        min(case when sliced.identification_slice = 1 then sliced.occurred_at end) over (
            partition by sliced.anonymous_id
        ) as first_identified_at

    from sliced

),

final as (

    select
        event_id,
        occurred_at,
        anonymous_id,
        customer_id as event_customer_id,
        case
            when customer_id is not null then customer_id
            when anonymous_id is null then null
            when identification_slice = 0 then first_customer_id
            else slice_customer_id
        end as attributed_customer_id,
        case
            when customer_id is null and anonymous_id is not null and identification_slice = 0
                then first_identified_at
            else occurred_at
        end as attributed_from,
        case
            when customer_id is not null then 'event'
            when anonymous_id is not null then 'anonymous_id'
        end as attribution,
        type,
        product_id,
        order_id,
        revenue,
        currency,
        url,
        properties,
        _loaded_at

    from slice_owners

)

select * from final
