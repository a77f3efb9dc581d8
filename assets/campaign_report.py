"""The campaign performance report (group `reports`): downstream of the dbt report models, it shows
each campaign's funnel, conversions, lift, return and NPS in its materialization (a table, charts
as images) and writes the same as one self-contained HTML file."""

from __future__ import annotations

import os
from pathlib import Path

import psycopg
from dagster import (
    AssetKey,
    AssetsDefinition,
    MaterializeResult,
    MetadataValue,
    TableColumn,
    TableRecord,
    TableSchema,
    asset,
)
from dagster_dbt import get_asset_key_for_model
from psycopg.rows import dict_row

from assets.experiment_report import experiments_markdown
from assets.journey_experiments import read_experiments
from assets.report_rendering import (
    COLUMNS,
    CampaignReport,
    html_page,
    markdown_image,
    markdown_table,
    plain,
)
from assets.resources import Warehouse

REPORT_KEY = AssetKey(["reports", "campaign_performance"])
REPORT_MODELS = ("rpt_campaign_performance", "rpt_campaign_conversions_daily", "rpt_nps")
REPORT_FILE = "campaign_performance.html"  # in the reports folder (TOUCHPOINT_HOME/reports)

_CAMPAIGNS = "select * from reports.rpt_campaign_performance order by sent desc, campaign"
_DAILY = "select * from reports.rpt_campaign_conversions_daily order by order_date, campaign"
_NPS = "select * from reports.rpt_nps order by campaign, answers desc, make"


def read_report(conn: psycopg.Connection) -> CampaignReport:
    with conn.cursor(row_factory=dict_row) as cursor:
        campaigns = cursor.execute(_CAMPAIGNS).fetchall()
        daily = cursor.execute(_DAILY).fetchall()
        nps = cursor.execute(_NPS).fetchall()
    as_of = campaigns[0]["as_of"] if campaigns else None
    experiments = read_experiments(conn)
    return CampaignReport(as_of, campaigns, daily, nps, experiments)


def write_html(path: Path, page: str) -> None:
    """Replace the file whole, so a browser never sees half a report."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.partial")
    partial.write_text(page, encoding="utf-8")
    os.replace(partial, path)


def report_metadata(report: CampaignReport, html_path: Path) -> dict:
    totals = report.totals
    experiments = (
        {"experiments": MetadataValue.md(experiments_markdown(report.experiments))}
        if report.experiments
        else {}
    )
    return {
        "as_of": report.as_of.isoformat() if report.as_of else "",
        "campaigns": len(report.campaigns),
        "messages_sent": int(totals["sent"]),
        "converted": int(totals["converted"]),
        "revenue": totals["revenue"],
        "performance": MetadataValue.md(markdown_table(report.campaigns)),
        "performance_table": _performance_table(report.campaigns),
        "funnel": MetadataValue.md(markdown_image("Funnel per campaign", report.funnel_svg())),
        "conversions_over_time": MetadataValue.md(
            markdown_image("Conversions over time", report.conversions_svg())
        ),
        "nps": MetadataValue.md(markdown_image("NPS per campaign and make", report.nps_svg())),
        "html_report": MetadataValue.path(str(html_path)),
        **experiments,
    }


def _performance_table(campaigns: list[dict]) -> MetadataValue:
    types = {"text": "string", "count": "int"}
    schema = TableSchema(
        columns=[
            TableColumn(name=column, type=types.get(kind, "float"), description=heading)
            for column, heading, kind in COLUMNS
        ]
    )
    records = [TableRecord({c: plain(row[c]) for c, _, _ in COLUMNS}) for row in campaigns]
    return MetadataValue.table(records=records, schema=schema)


def build_campaign_report_asset(html_path: Path) -> AssetsDefinition:
    # Here, not at the top: the dbt assets read dbt's manifest when imported, and the run
    # summary reads the report (read_report) where no manifest may have been prepared yet.
    from assets.datamart import datamart

    deps = [get_asset_key_for_model([datamart], model) for model in REPORT_MODELS]

    @asset(key=REPORT_KEY, deps=deps, group_name="reports", kinds={"python", "html"})
    def campaign_performance(warehouse: Warehouse) -> MaterializeResult:
        """Each campaign's funnel, conversions, lift over the holdout, return and NPS."""
        with warehouse.connect() as conn:
            report = read_report(conn)
        write_html(html_path, html_page(report))
        return MaterializeResult(metadata=report_metadata(report, html_path))

    return campaign_performance
