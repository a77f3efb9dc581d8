"""The messaging schema as touchpoint kept it before Alembic did.

Every statement is ``if not exists``, unlike the revisions after it: a datamart made before
migrations already holds these tables (and a still older one lacks only some columns), and this
revision adopts it in place, adding what is missing and touching no row.

Revision ID: 0001
Revises:
Create Date: 2026-11-29
"""

from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

_DDL = """
create schema if not exists messaging;

create table if not exists messaging.occurrences (
    campaign text not null,
    occurrence_key text not null,
    customer_id text not null,
    occurred_at timestamptz not null,
    expires_at timestamptz not null,
    context jsonb not null default '{}',
    as_of timestamptz not null,
    outcome text not null check (outcome in (
        'queued', 'deferred', 'sent', 'failed', 'held_out', 'capped', 'no_consent', 'expired',
        'in_doubt'
    )),
    reason text,
    channel text check (channel in ('email', 'sms')),
    send_after timestamptz,
    marketing boolean not null default true,
    decided_at timestamptz not null default now(),
    time_zone text,
    window_start time,
    window_end time,
    primary key (campaign, occurrence_key)
);
create index if not exists occurrences_customer
    on messaging.occurrences (customer_id, send_after);
create index if not exists occurrences_pending
    on messaging.occurrences (campaign) where outcome in ('queued', 'deferred');

create table if not exists messaging.outbox (
    message_id uuid primary key,
    campaign text not null,
    occurrence_key text not null,
    customer_id text not null,
    channel text not null check (channel in ('email', 'sms')),
    recipient text not null,
    locale text not null,
    subject text,
    body_text text,
    body_html text,
    sms_text text,
    headers jsonb not null default '{}',
    send_after timestamptz not null,
    expires_at timestamptz not null,
    time_zone text,
    window_start time,
    window_end time,
    status text not null default 'queued'
        check (status in ('queued', 'sending', 'sent', 'failed', 'in_doubt', 'expired')),
    attempts integer not null default 0,
    claimed_by text,
    lease_until timestamptz,
    provider_message_id text,
    last_error text,
    created_at timestamptz not null default now(),
    sent_at timestamptz,
    unique (campaign, occurrence_key)
);
create index if not exists outbox_due on messaging.outbox (send_after) where status = 'queued';
-- Provider events find their message by the provider's id; inbound SMS by the number.
create index if not exists outbox_provider_message
    on messaging.outbox (provider_message_id) where provider_message_id is not null;
create index if not exists outbox_sms_recipient
    on messaging.outbox (recipient) where channel = 'sms';
-- Datamarts made before each row kept its recipient's send window.
alter table messaging.occurrences add column if not exists time_zone text,
    add column if not exists window_start time, add column if not exists window_end time;
alter table messaging.outbox add column if not exists time_zone text,
    add column if not exists window_start time, add column if not exists window_end time;
-- When a row was last handed to a provider: what a run's summary counts as its attempts.
alter table messaging.outbox add column if not exists attempted_at timestamptz;

create table if not exists messaging.vouchers (
    code text primary key,
    campaign text not null,
    occurrence_key text not null,
    customer_id text not null,
    kind text not null check (kind in ('percent', 'amount')),
    value numeric(12, 2) not null,
    currency text,
    valid_from timestamptz not null,
    expires_at timestamptz not null,
    created_at timestamptz not null default now(),
    unique (campaign, occurrence_key)
);

-- The campaign catalog as the datamart measures it (conversion window, holdout), written from
-- campaigns/*.yml by the messaging/campaigns asset before each dbt build.
create table if not exists messaging.campaigns (
    campaign text primary key,
    description text not null default '',
    source_model text not null,
    channel text not null check (channel in ('email', 'sms', 'best')),
    priority integer not null,
    holdout double precision not null default 0,
    marketing boolean not null default true,
    conversion_goal text not null default 'order',
    conversion_window_days integer not null check (conversion_window_days > 0),
    voucher jsonb,
    active boolean not null default true,
    registered_at timestamptz not null default now()
);

create table if not exists messaging.message_events (
    event_id bigint generated always as identity primary key,
    message_id uuid,
    customer_id text,
    channel text check (channel in ('email', 'sms')),
    type text not null check (type in (
        'sent', 'delivered', 'deferred', 'bounced', 'complained', 'opened', 'clicked',
        'unsubscribed', 'replied', 'opted_out', 'opted_in', 'survey_answered', 'converted',
        'failed'
    )),
    occurred_at timestamptz not null,
    detail jsonb not null default '{}',
    source_event_id text unique,
    recorded_at timestamptz not null default now()
);
create index if not exists message_events_message on messaging.message_events (message_id);
create index if not exists message_events_customer
    on messaging.message_events (customer_id, channel, occurred_at);
"""


def upgrade() -> None:
    op.execute(_DDL)
