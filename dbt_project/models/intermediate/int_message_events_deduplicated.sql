{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='event_id',
        indexes=[
            {'columns': ['event_id'], 'unique': true},
            {'columns': ['recorded_at']},
            {'columns': ['dedupe_key']},
            {'columns': ['message_id']},
            {'columns': ['customer_id', 'channel', 'occurred_at']},
        ],
        pre_hook=['{{ serialize_builds(this) }}'],
        post_hook=['{{ refresh_statistics(this) }}'],
    )
}}
-- Every message event recorded, whenever it happened, with whether it repeats an event recorded
-- before it (`is_duplicate`), the campaign of the message it names, and the detail worth a
-- column; fct_message_events reads it at the as-of instant and attributes inbound SMS there.
--
-- A provider or queue may deliver one event twice: the same source event id, or without one
-- the same message, customer, channel, type, instant and detail (`dedupe_key`). The first
-- recorded (lowest event_id) is kept. Copies share their instant, so they all count at an as-of
-- instant or none does: the flag holds at every instant.
--
-- Incremental by `recorded_at`, the recording transaction's start, with the load cutoff of the
-- raw tables (macros/incremental.sql): a build adds the events recorded before the start of
-- the oldest transaction still open, so a writer committing late (a lower event_id, an earlier
-- recorded_at) waits for the next build rather than being skipped. Every writer (dispatch,
-- the tracking service, the SQS drain) records its events in short transactions; one that stays
-- open without writing longer than var incremental_idle_grace_minutes (5) before it records an
-- event may be missed until a full refresh. Neither event_id nor recorded_at alone is safe:
-- writers commit in another order than they draw ids and start transactions.
--
-- A build adds the new events and the events held with a key one of them repeats, and decides
-- again which of each such key is first: a copy committed late can have the lower event_id.
-- The message's campaign and occurrence key never change, so they are kept here; which message
-- an inbound SMS answers depends on the outbox's sent_at, which dispatch sets after the fact (a
-- reply can be recorded before its message's send is), so that stays in fct_message_events.
with

recorded as (

    select * from {{ ref('stg_messaging__message_events') }}
    -- Only what was recorded since the last build (macros/incremental.sql).
    where {{ loaded_since_last_build('recorded_at') }}

),

keyed as (

    select
        recorded.*,
        coalesce(
            'source:' || recorded.source_event_id,
            -- The instant in UTC, so the key never depends on the session's time zone: a
            -- copy recorded in a later build must get its first copy's key.
            'same:' || {{ row_hash(
                'recorded.message_id, recorded.customer_id, recorded.channel, recorded.type, '
                ~ local_timestamp('recorded.occurred_at', "'UTC'") ~ ', recorded.detail'
            ) }}
        ) as dedupe_key

    from recorded

),

candidates as (

    select
        event_id,
        source_event_id,
        message_id,
        customer_id,
        channel,
        type,
        occurred_at,
        detail,
        recorded_at,
        dedupe_key

    from keyed

    {% if is_incremental() %}

        union all

        -- The copies already held of a key the new events repeat.
        select
            held.event_id,
            held.source_event_id,
            held.message_id,
            held.customer_id,
            held.channel,
            held.type,
            held.occurred_at,
            held.detail,
            held.recorded_at,
            held.dedupe_key

        from {{ this }} as held
        where held.dedupe_key in (select keyed.dedupe_key from keyed)
            -- Taken again when a build committed between newest_held and this statement.
            and held.event_id not in (select keyed.event_id from keyed)

    {% endif %}

),

ranked as (

    select
        candidates.*,
        candidates.event_id
        <> min(candidates.event_id) over (partition by candidates.dedupe_key) as is_duplicate

    from candidates

),

outbox as (

    select
        message_id,
        campaign,
        occurrence_key

    from {{ ref('stg_messaging__outbox') }}

),

final as (

    select
        ranked.event_id,
        ranked.source_event_id,
        ranked.message_id,
        outbox.campaign,
        outbox.occurrence_key,
        ranked.customer_id,
        ranked.channel,
        ranked.type,
        ranked.occurred_at,
        case
            when ranked.type = 'survey_answered'
                and {{ regex_matches(
                    'btrim(' ~ json_text('ranked.detail', 'score') ~ ')', '^(10|[0-9])$'
                ) }}
                then btrim({{ json_text('ranked.detail', 'score') }})::integer
        end as score,
        {{ json_text('ranked.detail', 'url') }} as url,
        {{ json_text('ranked.detail', 'bounce_type') }} as bounce_type,
        ranked.detail,
        ranked.dedupe_key,
        ranked.is_duplicate,
        ranked.recorded_at

    from ranked
    left join outbox
        on outbox.message_id = ranked.message_id

)

select * from final
