"""``touchpoint preview``: a campaign's message as one customer would get it, or why not.

It runs the real path — the trigger model compiled at the as-of instant, the judgement, the
renderer — inside a transaction that is rolled back, so a preview never records, renders or
hands out a voucher for real.
"""

from __future__ import annotations

import json
import os
import subprocess
from dataclasses import replace
from datetime import datetime
from pathlib import Path

import psycopg
from psycopg import sql
from psycopg.rows import dict_row

from assets.campaign_step import campaign_voucher_terms, policy_for
from assets.dbt_project import DBT_PROJECT, dbt_executable
from assets.occurrence_decisions import decide_occurrences
from assets.outbox_rendering import render_pending
from assets.rendering import TemplateRenderer
from assets.resources import dbt_env_for
from models.campaigns import CampaignSpec
from senders.sms_composition import DEFAULT_MAX_SEGMENTS

_JUDGED = """
select o.occurrence_key, o.outcome, o.reason, o.channel, o.send_after, o.as_of,
    m.recipient, m.locale, m.subject, m.body_text, m.sms_text, m.status
from messaging.occurrences as o
left join messaging.outbox as m
    on m.campaign = o.campaign and m.occurrence_key = o.occurrence_key
where o.campaign = %s and o.customer_id = %s
order by o.occurred_at desc
"""


def compiled_model_sql(database_url: str, model: str, as_of: datetime) -> str:
    """The model's select at this as-of instant, compiled by dbt but not built; dbt is given the
    datamart's connection, which its profile reads and compiling uses."""
    args = [
        "compile",
        "--quiet",
        "--select",
        model,
        "--vars",
        json.dumps({"as_of": as_of.isoformat()}),
    ]
    completed = subprocess.run(
        [
            dbt_executable(),
            *args,
            "--project-dir",
            str(DBT_PROJECT.project_dir),
            "--profiles-dir",
            str(DBT_PROJECT.profiles_dir),
        ],
        env={**os.environ, **dbt_env_for(database_url)},
        capture_output=True,
        text=True,
    )
    if completed.returncode != 0:
        raise RuntimeError(f"dbt could not compile {model}:\n{completed.stdout[-2000:]}")
    target = DBT_PROJECT.project_dir / DBT_PROJECT.target_path
    [compiled] = (target / "compiled").rglob(f"{model}.sql")
    return compiled.read_text()


def preview(
    database_url: str,
    spec: CampaignSpec,
    campaigns_dir: Path,
    customer_id: str,
    as_of: datetime,
    max_per_week: int,
    sms_max_segments: int = DEFAULT_MAX_SEGMENTS,
) -> str:
    policy = policy_for(spec)
    compiled = compiled_model_sql(database_url, policy.source_model, as_of)
    with psycopg.connect(database_url) as conn:
        try:
            _stage_customer_rows(conn, policy.source_model, compiled, customer_id)
            decide_occurrences(
                conn, [replace(policy, source_schema="pg_temp")], as_of, max_per_week
            )
            renderer = TemplateRenderer(campaigns_dir, {spec.name: spec}, sms_max_segments)
            render_pending(conn, [spec.name], renderer.render, campaign_voucher_terms([spec]))
            judged = (
                conn.cursor(row_factory=dict_row)
                .execute(_JUDGED, (spec.name, customer_id))
                .fetchall()
            )
        finally:
            conn.rollback()
    return describe(spec, customer_id, as_of, judged)


def _stage_customer_rows(
    conn: psycopg.Connection, model: str, compiled: str, customer_id: str
) -> None:
    conn.execute(
        sql.SQL(
            "create temp table {} as select * from ({}) as model where customer_id = {}"
        ).format(sql.Identifier(model), sql.SQL(compiled), sql.Literal(customer_id))
    )


def describe(spec: CampaignSpec, customer_id: str, as_of: datetime, judged: list[dict]) -> str:
    source = spec.trigger or spec.segment
    if not judged:
        return (
            f"{spec.name}: customer {customer_id} has no occurrence of {source} "
            f"as of {as_of.isoformat()} — the trigger's conditions do not hold for them."
        )
    return "\n\n".join(_describe_one(spec, customer_id, row) for row in judged)


def _describe_one(spec: CampaignSpec, customer_id: str, row: dict) -> str:
    occurrence = row["occurrence_key"]
    head = f"{spec.name} for customer {customer_id}, occurrence {occurrence}: {row['outcome']}"
    if row["reason"]:
        head += f" ({row['reason']})"
    if row["recipient"] is None:
        return head
    lines = [
        head,
        f"to {row['recipient']} by {row['channel']} in {row['locale']}, "
        f"not before {row['send_after'].isoformat()}",
    ]
    if row["subject"]:
        lines += [f"Subject: {row['subject']}", "", row["body_text"] or ""]
    else:
        lines += ["", row["sms_text"] or ""]
    return "\n".join(lines)
