"""Judging trigger occurrences: consent, holdout, cooldown, weekly cap, send window, expiry.

The judgement itself is one set-based statement (``sql/decide_occurrences.sql``), whose outcomes
a second records. It is not a dbt model because it is a guarded state transition rather than a
rebuildable relation: it reads what earlier runs decided (cooldowns, caps) and records new
decisions, under a lock, in the same transaction, so two runs can never both spend a customer's
last weekly slot.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from pathlib import Path

import psycopg
from psycopg import sql

DECIDE_SQL = (Path(__file__).parent / "sql" / "decide_occurrences.sql").read_text()
DECISIONS_LOCK = "touchpoint.decisions"
DEFAULT_MAX_PER_WEEK = 3
SEGMENT_ENTRY_EXPIRY = timedelta(days=7)


@dataclass(frozen=True)
class CampaignPolicy:
    """What the judgement needs to know of one campaign."""

    campaign: str
    source_schema: str  # `triggers` or `segments`
    source_model: str  # trg_* or seg_*
    channel: str  # email | sms | best
    priority: int
    window_start: time
    window_end: time
    cooldown: timedelta
    expiry: timedelta | None
    holdout: float
    marketing: bool
    # Whose holdout group: by default the campaign's own; a journey's steps share one.
    holdout_key: str | None = None

    @property
    def is_segment(self) -> bool:
        return self.source_schema == "segments"


_CAMPAIGNS_TABLE = """
create temp table decision_campaigns (
    campaign text primary key,
    priority integer not null,
    wanted_channel text not null,
    window_start time not null,
    window_end time not null,
    cooldown interval not null,
    expiry interval,
    holdout double precision not null,
    marketing boolean not null,
    holdout_key text
) on commit drop;
create temp table decision_outcomes (
    campaign text not null,
    occurrence_key text not null,
    customer_id text not null,
    occurred_at timestamptz not null,
    expires_at timestamptz not null,
    context jsonb not null,
    marketing boolean not null,
    channel text,
    send_after timestamptz,
    time_zone text,
    window_start time,
    window_end time,
    outcome text not null,
    reason text
) on commit drop;
create temp table decision_candidates (
    campaign text not null,
    occurrence_key text not null,
    customer_id text not null,
    occurred_at timestamptz not null,
    expires_at timestamptz not null,
    context jsonb not null,
    wanted_channel text  -- when set, instead of the campaign's (an experiment's variant)
) on commit drop;
"""

# What DECIDE_SQL judged, recorded; a key judged already (by a run that got there first, or an
# earlier round) keeps its first outcome.
_RECORD_OUTCOMES = """
insert into messaging.occurrences (
    campaign, occurrence_key, customer_id, occurred_at, expires_at, context, as_of,
    outcome, reason, channel, send_after, marketing, time_zone, window_start, window_end
)
select
    campaign, occurrence_key, customer_id, occurred_at, expires_at, context,
    %(as_of)s::timestamptz, outcome, reason, channel, send_after, marketing,
    time_zone, window_start, window_end
from decision_outcomes
on conflict (campaign, occurrence_key) do nothing
returning campaign, outcome
"""

_TRIGGER_CANDIDATES = """
insert into decision_candidates
select %(campaign)s, t.occurrence_key, t.customer_id, t.occurred_at, t.expires_at, t.context
from {source} as t
where t.occurred_at <= %(as_of)s
    and not exists (
        select 1 from messaging.occurrences as o
        where o.campaign = %(campaign)s and o.occurrence_key = t.occurrence_key
    )
"""

# A segment campaign acts on entries: members who entered within the entry's useful life.
_SEGMENT_CANDIDATES = """
insert into decision_candidates
select
    %(campaign)s,
    s.customer_id || ':' || to_char(s.entered_at at time zone 'UTC', 'YYYY-MM-DD'),
    s.customer_id,
    s.entered_at,
    s.entered_at + %(entry_expiry)s,
    coalesce(s.context, '{{}}'::jsonb)
from {source} as s
where s.entered_at <= %(as_of)s
    and s.entered_at > %(as_of)s - %(entry_expiry)s
    and not exists (
        select 1 from messaging.occurrences as o
        where o.campaign = %(campaign)s
            and o.occurrence_key
                = s.customer_id || ':' || to_char(s.entered_at at time zone 'UTC', 'YYYY-MM-DD')
    )
"""


def decide_occurrences(
    conn: psycopg.Connection,
    policies: list[CampaignPolicy],
    as_of: datetime,
    max_per_week: int = DEFAULT_MAX_PER_WEEK,
) -> dict[str, Counter]:
    """Judge every occurrence of these campaigns not judged before; outcomes per campaign."""

    def stage(conn: psycopg.Connection, decide: Callable[[], None]) -> None:
        for policy in policies:
            _stage_campaign(conn, policy, as_of)

    outcomes: dict[str, Counter] = {policy.campaign: Counter() for policy in policies}
    outcomes.update(judge(conn, as_of, max_per_week, stage))
    return outcomes


def judge(
    conn: psycopg.Connection,
    as_of: datetime,
    max_per_week: int,
    stage: Callable[[psycopg.Connection, Callable[[], None]], None],
) -> dict[str, Counter]:
    """One judgement in one transaction, under the decisions lock: `stage` fills the temporary
    tables `decision_campaigns` (see `stage_policy`) and `decision_candidates`, then every
    candidate is judged. Whatever `stage` changed elsewhere commits or rolls back with it.

    `stage` is handed `decide`, which judges the candidates staged so far and empties the table:
    a journey reads the outcome of a message (sent, expired, held out) before moving on.
    """
    outcomes: dict[str, Counter] = {}
    parameters = {"as_of": as_of, "max_per_week": max_per_week}

    def decide() -> None:
        conn.execute(DECIDE_SQL, parameters)
        for campaign, outcome in conn.execute(_RECORD_OUTCOMES, parameters).fetchall():
            outcomes.setdefault(campaign, Counter())[outcome] += 1
        conn.execute("truncate decision_candidates, decision_outcomes")

    with conn.transaction():
        conn.execute("select pg_advisory_xact_lock(hashtext(%s))", (DECISIONS_LOCK,))
        conn.execute(_CAMPAIGNS_TABLE)
        stage(conn, decide)
        decide()
    return outcomes


def stage_policy(conn: psycopg.Connection, policy: CampaignPolicy) -> None:
    conn.execute(
        "insert into decision_campaigns values (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
        (
            policy.campaign,
            policy.priority,
            policy.channel,
            policy.window_start,
            policy.window_end,
            policy.cooldown,
            policy.expiry,
            policy.holdout,
            policy.marketing,
            policy.holdout_key,
        ),
    )


def _stage_campaign(conn: psycopg.Connection, policy: CampaignPolicy, as_of: datetime) -> None:
    stage_policy(conn, policy)
    template = _SEGMENT_CANDIDATES if policy.is_segment else _TRIGGER_CANDIDATES
    source = sql.Identifier(policy.source_schema, policy.source_model)
    conn.execute(
        sql.SQL(template).format(source=source),
        {
            "campaign": policy.campaign,
            "as_of": as_of,
            "entry_expiry": policy.expiry or SEGMENT_ENTRY_EXPIRY,
        },
    )
