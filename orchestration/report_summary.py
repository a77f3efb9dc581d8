"""The campaign report in a run's summary: what each campaign's messages brought about by the
run's as-of instant — opens, clicks, unsubscribes, conversions against its holdout, NPS. The rows
are ``reports.rpt_campaign_performance``'s; the charts are in the report asset's HTML page."""

from __future__ import annotations

from datetime import UTC

import psycopg

from assets.campaign_report import REPORT_MODELS, read_report
from assets.report_rendering import formatted

# (column, heading, format, width) of the terminal table, after the campaign's name.
COLUMNS = (
    ("sent", "sent", "count", 6),
    ("opened", "opened", "count", 8),
    ("clicked", "clicked", "count", 8),
    ("unsubscribed", "unsub.", "count", 7),
    ("converted", "converted", "count", 10),
    ("conversion_rate", "conv.", "percent", 7),
    ("holdout_size", "holdout", "count", 8),
    ("holdout_conversion_rate", "its conv.", "percent", 10),
    ("lift", "lift", "points", 10),
    ("revenue", "revenue", "money", 10),
    ("nps", "NPS", "nps", 5),
)
NAME_WIDTH = 26


def report_lines(conn: psycopg.Connection) -> list[str]:
    """The report as a table, then the comparison with the holdout over every campaign that
    has one; nothing before the report models were first built."""
    names = [f"reports.{model}" for model in REPORT_MODELS]
    built = conn.execute(
        "select bool_and(to_regclass(name) is not null) from unnest(%s::text[]) as name", (names,)
    ).fetchone()[0]
    if not built:
        return []
    report = read_report(conn)
    as_of = f"{report.as_of.astimezone(UTC):%Y-%m-%d %H:%M} UTC" if report.as_of else "—"
    head = "".join(f"{heading:>{width}}" for _, heading, _, width in COLUMNS)
    lines = [f"Campaign performance as of {as_of}".ljust(NAME_WIDTH + 2) + head]
    for row in report.campaigns:
        cells = "".join(
            f"{formatted(row[column], kind):>{width}}" for column, _, kind, width in COLUMNS
        )
        lines.append(f"  {row['campaign']:<{NAME_WIDTH}}{cells}")
    return lines + _holdout_line(report.campaigns)


def _holdout_line(campaigns: list[dict]) -> list[str]:
    """Conversion of the messages against that of the held-out customers, where both exist."""
    compared = [row for row in campaigns if row["holdout_size"] and row["sent"]]
    if not compared:
        return []
    sent = sum(row["sent"] for row in compared)
    converted = sum(row["converted"] for row in compared)
    held = sum(row["holdout_size"] for row in compared)
    held_converted = sum(row["holdout_converted"] for row in compared)
    treated_rate, holdout_rate = converted / sent, held_converted / held
    return [
        f"  Campaigns with a holdout: {formatted(treated_rate, 'percent')} of {sent} messages "
        f"converted, {formatted(holdout_rate, 'percent')} of {held} customers held out: lift "
        f"{formatted(treated_rate - holdout_rate, 'points')}"
    ]
