-- Judge every new occurrence in decision_candidates once, with exactly one outcome, into
-- decision_outcomes (docs/architecture.md, Outcomes and Sending invariants); the judgement then
-- records them in messaging.occurrences (assets/occurrence_decisions.py). Parameters:
-- %(as_of)s, %(max_per_week)s.
-- Runs under the decisions lock, so caps and cooldowns see every earlier decision. Judging into
-- a table of its own, not straight into messaging.occurrences, keeps the lookups of earlier
-- decisions off this statement's own new rows: inserting as it judged, a lookup through an
-- index led by the campaign read every row the statement had already written for the campaign
-- (invisible to it, still in the index), 30 s for the 35 k occurrences of a first pass at 1 M.
with

candidate as (
    select
        c.campaign,
        c.occurrence_key,
        c.customer_id,
        c.occurred_at,
        c.context,
        coalesce(c.occurred_at + p.expiry, c.expires_at) as expires_at,
        p.priority,
        coalesce(c.wanted_channel, p.wanted_channel) as wanted_channel,
        coalesce(p.holdout_key, c.campaign) as holdout_key,
        p.window_start,
        p.window_end,
        p.cooldown,
        p.holdout,
        p.marketing,
        cu.customer_id is not null as known_customer,
        coalesce(cu.timezone, 'UTC') as timezone,
        cu.favoured_channel,
        coalesce(cu.can_email, false) and email_block.customer_id is null as email_allowed,
        coalesce(cu.can_sms, false) and sms_block.customer_id is null as sms_allowed,
        email_block.reason as email_block_reason,
        sms_block.reason as sms_block_reason
    from decision_candidates as c
    inner join decision_campaigns as p on p.campaign = c.campaign
    left join marts.dim_customers as cu on cu.customer_id = c.customer_id
    left join intermediate.int_contact_suppressions as email_block
        on email_block.customer_id = c.customer_id and email_block.channel = 'email'
    left join intermediate.int_contact_suppressions as sms_block
        on sms_block.customer_id = c.customer_id and sms_block.channel = 'sms'
),

routed as (
    select
        *,
        -- `best` is the customer's favoured channel (dim_customers, measured from responses) where
        -- it is allowed, else email where allowed, else SMS.
        case wanted_channel
            when 'email' then case when email_allowed then 'email' end
            when 'sms' then case when sms_allowed then 'sms' end
            else case
                when favoured_channel = 'sms' and sms_allowed then 'sms'
                when email_allowed then 'email'
                when sms_allowed then 'sms'
            end
        end as channel,
        -- Holdout depends on campaign and customer only, so it holds across runs: the first 8 hex
        -- digits of sha256("<campaign>:<customer_id>") / 2^32 (docs/architecture.md, Campaigns).
        -- A journey's steps all hold out by one campaign's group (its holdout_key).
        (
            ('x' || left(encode(sha256(convert_to(holdout_key || ':' || customer_id, 'UTF8')), 'hex'), 8))
            ::bit(32)::bigint / 4294967296.0
        ) < holdout as held_out,
        (%(as_of)s::timestamptz at time zone timezone) as local_now
    from candidate
),

windowed as (
    select
        *,
        case
            when local_now::time >= window_start and local_now::time < window_end
                then %(as_of)s::timestamptz
            when local_now::time < window_start
                then (local_now::date + window_start) at time zone timezone
            else (local_now::date + 1 + window_start) at time zone timezone
        end as send_after
    from routed
),

judged as (
    select
        *,
        case
            when expires_at <= %(as_of)s::timestamptz then 'expired'
            when not known_customer then 'no_consent'
            when channel is null then 'no_consent'
            when held_out then 'held_out'
            when send_after >= expires_at then 'expired'
        end as early_outcome,
        case
            when expires_at <= %(as_of)s::timestamptz then 'expired before it could be judged'
            when not known_customer then 'customer unknown to the CRM'
            when channel is null then
                case wanted_channel
                    when 'email' then coalesce('email ' || email_block_reason, 'no email consent or no valid address')
                    when 'sms' then coalesce('sms ' || sms_block_reason, 'no SMS consent or no valid number')
                    else 'no consent on any channel'
                end
            when held_out then 'in the holdout group'
            when send_after >= expires_at then 'the send window opens only after expiry'
        end as early_reason
    from windowed
),

contending as (
    select
        *,
        cooldown > interval '0' and (
            exists (
                select 1
                from messaging.occurrences as earlier
                where earlier.campaign = judged.campaign
                    and earlier.customer_id = judged.customer_id
                    and earlier.outcome in ('queued', 'deferred', 'sent', 'in_doubt')
                    and earlier.send_after > judged.send_after - judged.cooldown
            )
            or row_number() over (
                partition by customer_id, campaign order by occurred_at, occurrence_key
            ) > 1
        ) as in_cooldown
    from judged
    where early_outcome is null
),

ranked as (
    select
        *,
        -- Messages already planned or sent within 7 days either side of this one share a
        -- 7-day window with it; counting them all errs on the side of fewer messages.
        (
            select count(*)
            from messaging.occurrences as planned
            where planned.customer_id = contending.customer_id
                and planned.marketing
                and planned.outcome in ('queued', 'deferred', 'sent', 'in_doubt')
                and planned.send_after > contending.send_after - interval '7 days'
                and planned.send_after < contending.send_after + interval '7 days'
        ) as already_planned,
        row_number() over (
            partition by customer_id, marketing, in_cooldown
            order by priority desc, occurred_at, campaign, occurrence_key
        ) as rank_in_batch
    from contending
),

decided as (
    select
        campaign, occurrence_key, customer_id, occurred_at, expires_at, context, marketing,
        channel, send_after, timezone, window_start, window_end,
        case
            when in_cooldown then 'capped'
            when marketing and already_planned + rank_in_batch > %(max_per_week)s then 'capped'
            when send_after > %(as_of)s::timestamptz then 'deferred'
            else 'queued'
        end as outcome,
        case
            when in_cooldown then 'cooldown: a message of this campaign was sent within ' || cooldown
            when marketing and already_planned + rank_in_batch > %(max_per_week)s
                then 'weekly cap of ' || %(max_per_week)s || ' marketing messages reached'
            when send_after > %(as_of)s::timestamptz then 'outside the send window'
        end as reason
    from ranked
    union all
    select
        campaign, occurrence_key, customer_id, occurred_at, expires_at, context, marketing,
        case when early_outcome in ('held_out') then channel end, null::timestamptz,
        timezone, window_start, window_end, early_outcome, early_reason
    from judged
    where early_outcome is not null
)

insert into decision_outcomes (
    campaign, occurrence_key, customer_id, occurred_at, expires_at, context, marketing,
    channel, send_after, time_zone, window_start, window_end, outcome, reason
)
select
    campaign, occurrence_key, customer_id, occurred_at, expires_at, context, marketing,
    channel, send_after, timezone, window_start, window_end, outcome, reason
from decided
