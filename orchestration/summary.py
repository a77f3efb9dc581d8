"""The readable summary a run prints: rows per source and mart, rejects with their reasons,
what was sent and why, what still waits and why, and the campaign report.

Customers' e-mail addresses and phone numbers are masked in all of it unless asked for
(``touchpoint run --show-contacts``): a summary ends up in terminals, CI logs and tickets.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import psycopg

from models.contact_masking import mask_contacts
from models.landing import LANDING_SOURCES
from orchestration.dispatch_summary import dispatch_report, in_doubt_lines
from orchestration.journey_summary import journey_lines
from orchestration.report_summary import report_lines

MARTS = (
    "dim_customers",
    "dim_products",
    "dim_vehicles",
    "fct_orders",
    "fct_order_lines",
    "fct_web_events",
)

# Reasons quote the offending value; folding the quotes groups "birth_date '…' is not a date".
_REASON_KIND = r"regexp_replace(_reject_reason, '''[^'']*''', '…', 'g')"


def _table_exists(conn: psycopg.Connection, qualified: str) -> bool:
    return conn.execute("select to_regclass(%s) is not null", (qualified,)).fetchone()[0]


def source_lines(conn: psycopg.Connection, since: datetime) -> list[str]:
    lines = ["Files ingested by this run   files  quarantined      read    loaded  rejected"]
    for source in LANDING_SOURCES:
        files, quarantined, read, loaded, rejected = conn.execute(
            "select count(*) filter (where status = 'loaded'), "
            "count(*) filter (where status = 'quarantined'), coalesce(sum(rows_read), 0), "
            "coalesce(sum(rows_loaded), 0), coalesce(sum(rows_rejected), 0) "
            "from raw._landing_files where source = %s and ingested_at >= %s",
            (source.name, since),
        ).fetchone()
        lines.append(
            f"  {source.name:<26} {files:>5} {quarantined:>12} {read:>9} {loaded:>9} {rejected:>9}"
        )
    return lines


def reject_lines(conn: psycopg.Connection, since: datetime, limit: int = 5) -> list[str]:
    lines = ["Rows rejected by this run, by reason (all of them: raw.<source>_rejects)"]
    for source in LANDING_SOURCES:
        rows = conn.execute(
            f"select {_REASON_KIND} as kind, count(*) from raw.{source.rejects_table} "
            "where _loaded_at >= %s group by kind order by count(*) desc, kind limit %s",
            (since, limit),
        ).fetchall()
        lines += [f"  {source.name}: {n} × {kind}" for kind, n in rows]
    for path, error in conn.execute(
        "select path, error from raw._landing_files where status = 'quarantined' "
        "and ingested_at >= %s order by path",
        (since,),
    ):
        lines.append(f"  quarantined {path}: {error}")
    return lines


def mart_lines(conn: psycopg.Connection) -> list[str]:
    lines = ["Datamart"]
    for mart in MARTS:
        if _table_exists(conn, f"marts.{mart}"):
            count = conn.execute(f"select count(*) from marts.{mart}").fetchone()[0]
            lines.append(f"  marts.{mart:<24} {count:>9} rows")
    return lines


# Where each occurrence judged by this run stands now (dispatch moves queued → sent, …).
OUTCOME_COLUMNS = (
    "sent",
    "queued",
    "deferred",
    "held_out",
    "capped",
    "no_consent",
    "expired",
    "failed",
    "in_doubt",
)


def campaign_lines(conn: psycopg.Connection, since: datetime) -> list[str]:
    """This run's judgements per campaign (messaging.occurrences has every one, with a reason)."""
    if not _table_exists(conn, "messaging.occurrences"):
        return []
    rows = conn.execute(
        "select campaign, outcome, count(*) from messaging.occurrences "
        "where decided_at >= %s group by 1, 2",
        (since,),
    ).fetchall()
    counts: dict[str, dict[str, int]] = {}
    for campaign, outcome, n in rows:
        counts.setdefault(campaign, {})[outcome] = n
    header = "".join(f"{c:>11}" for c in OUTCOME_COLUMNS)
    lines = [f"Occurrences judged by this run{header}"]
    for campaign in sorted(counts):
        cells = "".join(f"{counts[campaign].get(c, 0):>11}" for c in OUTCOME_COLUMNS)
        lines.append(f"  {campaign:<26} {cells}")
    if not counts:
        lines.append("  no new occurrence")
    return lines


_SENT_WITH_WHY = """
select m.campaign, m.customer_id, m.channel, m.recipient, m.locale,
    coalesce(m.subject, m.sms_text), o.occurrence_key, o.occurred_at, o.context
from messaging.outbox m
join messaging.occurrences o using (campaign, occurrence_key)
where m.status = 'sent' and m.sent_at >= %s
order by m.campaign, m.sent_at
"""

_NOT_SENT_REASONS = """
select outcome, coalesce(reason, ''), count(*) from messaging.occurrences
where decided_at >= %s and outcome not in ('sent', 'queued')
group by 1, 2 order by 3 desc, 1, 2 limit %s
"""


def sent_lines(conn: psycopg.Connection, since: datetime, per_campaign: int = 3) -> list[str]:
    """A few messages each campaign sent in this run, with the occurrence that caused them."""
    if not _table_exists(conn, "messaging.outbox"):
        return []
    rows = conn.execute(_SENT_WITH_WHY, (since,)).fetchall()
    lines = [f"Sent by this run: {len(rows)} messages (all in messaging.outbox); for example"]
    shown: dict[str, int] = {}
    for campaign, customer, channel, recipient, locale, title, key, occurred, context in rows:
        shown[campaign] = shown.get(campaign, 0) + 1
        if shown[campaign] > per_campaign:
            continue
        lines.append(
            f"  {campaign} → {customer} by {channel} to {recipient} ({locale}): "
            f"{_clip(title, 60)!r}"
        )
        lines.append(
            f"      because {key} occurred {occurred:%Y-%m-%d %H:%M %Z}{_context_text(context)}"
        )
    return lines


def not_sent_lines(conn: psycopg.Connection, since: datetime, limit: int = 8) -> list[str]:
    """Why the occurrences judged by this run that did not go out (yet) stayed back."""
    if not _table_exists(conn, "messaging.occurrences"):
        return []
    rows = conn.execute(_NOT_SENT_REASONS, (since, limit)).fetchall()
    lines = ["Not sent (yet), and why"]
    lines += [f"  {n:>6} {outcome}: {reason or '—'}" for outcome, reason, n in rows]
    return lines


def _context_text(context: dict) -> str:
    items = ", ".join(f"{k}={v}" for k, v in context.items() if not isinstance(v, list | dict))
    return f" ({_clip(items, 70)})" if items else ""


def _clip(text: str | None, width: int) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= width else text[: width - 1] + "…"


def server_now(database_url: str) -> datetime:
    """The database's clock: the summary compares it with timestamps the database wrote."""
    with psycopg.connect(database_url) as conn:
        return conn.execute("select now()").fetchone()[0]


@dataclass(frozen=True)
class RunSummary:
    text: str
    # Set when every send the run attempted failed: why, in one line (the run then fails).
    send_failure: str | None = None


def run_summary(database_url: str, since: datetime, show_contacts: bool = False) -> RunSummary:
    with psycopg.connect(database_url) as conn:
        summary = _summary(conn, since)
    if show_contacts:
        return summary
    return RunSummary(
        mask_contacts(summary.text),
        summary.send_failure and mask_contacts(summary.send_failure),
    )


def _summary(conn: psycopg.Connection, since: datetime) -> RunSummary:
    if not _table_exists(conn, "raw._landing_files"):
        return RunSummary("Nothing ingested yet.")
    lines = (
        source_lines(conn, since)
        + [""]
        + reject_lines(conn, since)
        + [""]
        + mart_lines(conn)
        + [""]
        + campaign_lines(conn, since)
        + [""]
        + sent_lines(conn, since)
        + [""]
        + not_sent_lines(conn, since)
    )
    if not _table_exists(conn, "messaging.outbox"):
        return RunSummary("\n".join(lines))
    report = dispatch_report(conn, since)
    lines += [""] + report.lines()
    if doubted := in_doubt_lines(conn):
        lines += [""] + doubted
    if _table_exists(conn, "messaging.journey_enrolments") and (journeys := journey_lines(conn)):
        lines += [""] + journeys
    if performance := report_lines(conn):
        lines += [""] + performance
    return RunSummary("\n".join(lines), report.send_failure())
