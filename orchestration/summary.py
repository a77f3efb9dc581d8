"""The readable summary a run prints: rows per source and mart, rejects with their reasons."""

from __future__ import annotations

from datetime import datetime

import psycopg

from models.landing import LANDING_SOURCES

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


OUTCOME_COLUMNS = ("queued", "deferred", "held_out", "capped", "no_consent", "expired", "failed")


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
    lines = [f"Campaigns judged by this run {header}"]
    for campaign in sorted(counts):
        cells = "".join(f"{counts[campaign].get(c, 0):>11}" for c in OUTCOME_COLUMNS)
        lines.append(f"  {campaign:<26} {cells}")
    if not counts:
        lines.append("  no new occurrence")
    return lines


def server_now(database_url: str) -> datetime:
    """The database's clock: the summary compares it with timestamps the database wrote."""
    with psycopg.connect(database_url) as conn:
        return conn.execute("select now()").fetchone()[0]


def run_summary(database_url: str, since: datetime) -> str:
    with psycopg.connect(database_url) as conn:
        if not _table_exists(conn, "raw._landing_files"):
            return "Nothing ingested yet."
        return "\n".join(
            source_lines(conn, since)
            + [""]
            + reject_lines(conn, since)
            + [""]
            + mart_lines(conn)
            + [""]
            + campaign_lines(conn, since)
        )
