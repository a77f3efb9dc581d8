"""One campaign step without Dagster: judge the new occurrences of some campaigns together, then
render what is to be sent into the outbox.

Campaigns are judged together so the weekly cap is shared by priority across them; rendering
is per campaign so each Dagster asset can report its own counts.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import psycopg

from assets.occurrence_decisions import DEFAULT_MAX_PER_WEEK, CampaignPolicy, decide_occurrences
from assets.outbox_rendering import VoucherTermsOf, render_pending
from assets.rendering import TemplateRenderer
from assets.vouchers import voucher_terms
from models.campaigns import CampaignSpec
from senders.email_composition import EmailComposer
from senders.sms_composition import DEFAULT_MAX_SEGMENTS


@dataclass
class CampaignResult:
    """What one campaign's step did: this run's judgements and renders, and its totals."""

    judged: Counter = field(default_factory=Counter)
    rendered: int = 0
    render_failed: int = 0
    outcomes_to_date: dict[str, int] = field(default_factory=dict)
    preview: dict | None = None


def policy_for(spec: CampaignSpec) -> CampaignPolicy:
    return CampaignPolicy(
        campaign=spec.name,
        source_schema="segments" if spec.segment else "triggers",
        source_model=spec.source_model,
        channel=spec.channel,
        priority=spec.priority,
        window_start=spec.send_window.start,
        window_end=spec.send_window.end,
        cooldown=spec.cooldown,
        expiry=spec.expiry,
        holdout=spec.holdout,
        marketing=spec.marketing,
    )


def campaign_voucher_terms(specs: list[CampaignSpec]) -> VoucherTermsOf:
    """Each campaign's one voucher, for the occurrences of that campaign."""
    terms = {spec.name: voucher_terms(spec.voucher) for spec in specs}
    return lambda occurrence: terms[occurrence["campaign"]]


def run_campaigns(
    conn: psycopg.Connection,
    specs: list[CampaignSpec],
    campaigns_dir: Path,
    as_of: datetime,
    max_per_week: int = DEFAULT_MAX_PER_WEEK,
    sms_max_segments: int = DEFAULT_MAX_SEGMENTS,
    composer: EmailComposer | None = None,
) -> dict[str, CampaignResult]:
    """Judge and render (mails composed with ``composer`` when given); returns a result per
    campaign name."""
    judged = decide_occurrences(conn, [policy_for(spec) for spec in specs], as_of, max_per_week)
    renderer = TemplateRenderer(
        campaigns_dir, {spec.name: spec for spec in specs}, sms_max_segments
    )
    results = {}
    voucher_terms = campaign_voucher_terms(specs)
    for spec in specs:
        counts = render_pending(conn, [spec.name], renderer.render, voucher_terms, composer)
        results[spec.name] = CampaignResult(
            judged=judged[spec.name],
            rendered=counts["rendered"],
            render_failed=counts["failed"],
            outcomes_to_date=outcomes_to_date(conn, spec.name),
            preview=latest_message(conn, spec.name),
        )
    return results


def outcomes_to_date(conn: psycopg.Connection, campaign: str) -> dict[str, int]:
    rows = conn.execute(
        "select outcome, count(*) from messaging.occurrences where campaign = %s group by 1",
        (campaign,),
    ).fetchall()
    return dict(sorted(rows))


def latest_message(conn: psycopg.Connection, campaign: str) -> dict | None:
    """The most recently rendered message, for the asset's preview."""
    row = conn.execute(
        "select channel, locale, subject, body_text, sms_text from messaging.outbox "
        "where campaign = %s order by created_at desc, message_id limit 1",
        (campaign,),
    ).fetchone()
    if row is None:
        return None
    channel, locale, subject, text, sms = row
    return {"channel": channel, "locale": locale, "subject": subject, "text": text or sms}
