"""The campaign report in a run's summary: what each campaign's messages brought about by the
run's as-of instant — opens, clicks, unsubscribes, conversions against its holdout, NPS — and,
once a journey message was split into variants, each experiment's variants. The rows are
``reports.rpt_campaign_performance``'s; the charts are in the report asset's HTML page."""

from __future__ import annotations

from datetime import UTC

import psycopg

from assets.campaign_report import REPORT_MODELS, read_report
from assets.experiment_report import experiment_title, variant_rows
from assets.journey_experiments import ExperimentResult
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
# (key, heading, width) of each experiment's terminal table, after the variant's name; the keys
# are assets.experiment_report.EXPERIMENT_COLUMNS'.
VARIANT_COLUMNS = (
    ("sent", "sent", 6),
    ("opened", "opened", 8),
    ("clicked", "clicked", 8),
    ("converted", "converted", 10),
    ("conversion", "conv. (95 % interval)", 24),
    ("beats_control", "P(>control)", 13),
    ("best", "P(best)", 9),
    ("winner", "", 13),
)


def report_lines(conn: psycopg.Connection) -> list[str]:
    """The report as a table, then the lift over the holdout of all campaigns together, then
    the journey experiments (if any); nothing before the report models were first built."""
    names = [f"reports.{model}" for model in REPORT_MODELS]
    built = conn.execute(
        "select bool_and(to_regclass(name) is not null) from unnest(%s::text[]) as name", (names,)
    ).fetchone()[0]
    if not built:
        return []
    report = read_report(conn)
    as_of = f"{report.as_of.astimezone(UTC):%Y-%m-%d %H:%M} UTC" if report.as_of else "—"
    head = "".join(f"{heading:>{width}}" for _, heading, _, width in COLUMNS)
    # journey steps are named `<journey>.<step>`: the column grows to the longest name
    name_width = max([NAME_WIDTH, *(len(row["campaign"]) + 1 for row in report.campaigns)])
    lines = [
        f"Campaign performance as of {as_of} (reports.rpt_campaign_performance)",
        f"  {'campaign':<{name_width}}{head}",
    ]
    for row in report.campaigns:
        cells = "".join(
            f"{formatted(row[column], kind):>{width}}" for column, _, kind, width in COLUMNS
        )
        lines.append(f"  {row['campaign']:<{name_width}}{cells}")
    return lines + _holdout_line(report.campaigns) + _experiment_lines(report.experiments)


def _holdout_line(campaigns: list[dict]) -> list[str]:
    """The lift of every campaign that has one, weighted by its messages sent: each campaign is
    compared with its own holdout, never one campaign's messages with another's holdout."""
    compared = [row for row in campaigns if row["lift"] is not None]
    sent = sum(row["sent"] for row in compared)
    if not sent:
        return []
    lift = sum(row["sent"] * row["lift"] for row in compared) / sent
    names = ", ".join(row["campaign"] for row in compared)
    return [
        f"  Lift over the holdout, weighted by messages sent: {formatted(lift, 'points')} ({names})"
    ]


def _experiment_lines(experiments: list[ExperimentResult]) -> list[str]:
    """Each experiment's title, then one line a variant; nothing without an experiment."""
    if not experiments:
        return []
    head = "".join(f"{heading:>{width}}" for _, heading, width in VARIANT_COLUMNS)
    lines = ["", "Experiments (journey steps split into variants)"]
    for result in experiments:
        lines += [f"  {experiment_title(result)}", f"    {'variant':<{NAME_WIDTH - 2}}{head}"]
        lines += [
            f"    {row['variant']:<{NAME_WIDTH - 2}}"
            + "".join(f"{row[key]:>{width}}" for key, _, width in VARIANT_COLUMNS)
            for row in variant_rows(result)
        ]
    return [line.rstrip() for line in lines]
