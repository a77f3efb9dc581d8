"""The campaign report as a marketer reads it: a Markdown table and chart images for the Dagster UI,
and one self-contained HTML page (inline CSS and SVG, nothing fetched)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from html import escape

from assets.experiment_report import experiments_html
from assets.journey_experiments import ExperimentResult
from assets.report_charts import (
    conversions_chart,
    data_uri,
    funnel_chart,
    nps_chart,
    signed_score,
)
from models.markdown_text import markdown_literal


@dataclass(frozen=True)
class CampaignReport:
    """The rows of reports.rpt_campaign_performance, rpt_campaign_conversions_daily, rpt_nps,
    and the journey experiments (none without a journey message split into variants)."""

    as_of: datetime | None
    campaigns: list[dict]
    daily: list[dict]
    nps: list[dict]
    experiments: list[ExperimentResult] = field(default_factory=list)

    @property
    def totals(self) -> dict[str, float]:
        def total(column: str) -> float:
            return float(sum(row[column] or 0 for row in self.campaigns))

        return {c: total(c) for c in ("sent", "converted", "revenue", "nps_answers")}

    def funnel_svg(self) -> str:
        return funnel_chart(self.campaigns)

    def conversions_svg(self) -> str:
        # Order dates are UTC dates (rpt_campaign_conversions_daily).
        end = self.as_of.astimezone(UTC).date() if self.as_of else None
        return conversions_chart(self.daily, [row["campaign"] for row in self.campaigns], end)

    def nps_svg(self) -> str:
        return nps_chart(nps_rows(self.campaigns, self.nps))


# (column, heading, format) of the per-campaign table, in the UI and the HTML page alike.
COLUMNS = (
    ("campaign", "Campaign", "text"),
    ("sent", "Sent", "count"),
    ("delivered", "Delivered", "count"),
    ("opened", "Opened", "count"),
    ("clicked", "Clicked", "count"),
    ("unsubscribed", "Unsubscribed", "count"),
    ("converted", "Converted", "count"),
    ("conversion_rate", "Conversion", "percent"),
    ("revenue", "Revenue", "money"),
    ("holdout_size", "Holdout", "count"),
    ("holdout_conversion_rate", "Holdout conversion", "percent"),
    ("lift", "Lift", "points"),
    ("revenue_per_message", "Revenue per message", "money"),
    ("nps", "NPS", "nps"),
)


def formatted(value: object, kind: str) -> str:
    if value is None:
        return "—"
    if kind == "count":
        return f"{int(value):,}"
    if kind == "percent":
        return f"{float(value):.1%}"
    if kind == "points":
        return f"{float(value) * 100:+.1f} pp"
    if kind == "money":
        return f"{float(value):,.2f}"
    if kind == "nps":
        return signed_score(float(value))
    return str(value)


def plain(value: object) -> object:
    """A value Dagster's table metadata takes (no Decimal, no datetime)."""
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return value


def nps_rows(campaigns: list[dict], by_make: list[dict]) -> list[dict]:
    """Each campaign with answers, then its makes when the answers were about vehicles."""
    rows = []
    for campaign in campaigns:
        if not campaign["nps_answers"]:
            continue
        rows.append(
            {
                "label": campaign["campaign"],
                "nps": campaign["nps"],
                "answers": campaign["nps_answers"],
            }
        )
        makes = [r for r in by_make if r["campaign"] == campaign["campaign"]]
        if any(r["make"] != "unknown" for r in makes):
            rows += [
                {"label": r["make"], "nps": r["nps"], "answers": r["answers"], "indent": True}
                for r in makes
            ]
    return rows


def markdown_table(campaigns: list[dict]) -> str:
    if not campaigns:
        return "No campaign registered yet."
    head = "| " + " | ".join(heading for _, heading, _ in COLUMNS) + " |"
    rule = "|" + "|".join("---" if kind == "text" else "---:" for _, _, kind in COLUMNS) + "|"
    body = [
        "| " + " | ".join(_markdown_cell(row[c], kind) for c, _, kind in COLUMNS) + " |"
        for row in campaigns
    ]
    return "\n".join([head, rule, *body])


def _markdown_cell(value: object, kind: str) -> str:
    text = formatted(value, kind)
    return markdown_literal(text) if kind == "text" else text


def markdown_image(title: str, svg: str) -> str:
    return f"![{title}]({data_uri(svg)})"


def html_page(report: CampaignReport) -> str:
    as_of = f"{report.as_of.astimezone(UTC):%Y-%m-%d %H:%M} UTC" if report.as_of else "—"
    totals = report.totals
    conversion = totals["converted"] / totals["sent"] if totals["sent"] else None
    tiles = [
        ("Messages sent", formatted(totals["sent"], "count")),
        (
            "Converted",
            f"{formatted(totals['converted'], 'count')} ({formatted(conversion, 'percent')})",
        ),
        ("Revenue credited", formatted(totals["revenue"], "money")),
        ("Survey answers", formatted(totals["nps_answers"], "count")),
    ]
    return _PAGE.format(
        style=_STYLE,
        as_of=escape(as_of),
        campaigns=len(report.campaigns),
        tiles="".join(f"<div><span>{escape(k)}</span><b>{escape(v)}</b></div>" for k, v in tiles),
        table=_html_table(report.campaigns),
        funnel=report.funnel_svg(),
        conversions=report.conversions_svg(),
        nps=report.nps_svg(),
        experiments=experiments_html(report.experiments),
    )


def _html_table(campaigns: list[dict]) -> str:
    if not campaigns:
        return "<p>No campaign registered yet.</p>"
    head = "".join(f"<th>{escape(heading)}</th>" for _, heading, _ in COLUMNS)
    rows = "".join(
        "<tr>"
        + "".join(
            f'<td class="{kind}">{escape(formatted(row[c], kind))}</td>' for c, _, kind in COLUMNS
        )
        + "</tr>"
        for row in campaigns
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>"


_STYLE = """
body { font: 14px/1.45 system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif; color: #1f2937;
       margin: 2rem auto; max-width: 1180px; padding: 0 1.5rem; }
h1 { margin-bottom: .2rem; } h2 { margin-top: 2.2rem; font-size: 1.15rem; }
header p { color: #6b7280; margin-top: 0; }
.tiles { display: flex; gap: 1rem; flex-wrap: wrap; }
.tiles div { border: 1px solid #e5e7eb; border-radius: 8px; padding: .7rem 1rem; min-width: 180px; }
.tiles span { display: block; color: #6b7280; font-size: .85rem; }
.tiles b { font-size: 1.35rem; }
table { border-collapse: collapse; width: 100%; font-variant-numeric: tabular-nums; }
th, td { padding: .35rem .5rem; border-bottom: 1px solid #e5e7eb; }
th { text-align: right; font-weight: 600; font-size: .85rem; color: #374151; }
th { vertical-align: bottom; } td { white-space: nowrap; }
th:first-child, td.text { text-align: left; } td { text-align: right; }
h3 { font-size: 1rem; margin: 1.4rem 0 .4rem; }
.notes { color: #4b5563; font-size: .9rem; }
"""

_PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Campaign performance — touchpoint</title>
<style>{style}</style>
</head>
<body>
<header>
<h1>Campaign performance</h1>
<p>As of {as_of} · {campaigns} campaigns</p>
</header>
<section class="tiles">{tiles}</section>
<section><h2>Per campaign</h2>{table}</section>
<section><h2>Funnel: share of messages sent</h2>{funnel}</section>
<section><h2>Conversions over time (orders per day, last 60 days)</h2>{conversions}</section>
<section><h2>Net Promoter Score</h2>{nps}</section>
{experiments}
<section class="notes">
<h2>How it is measured</h2>
<ul>
<li><b>Converted</b>: a message followed, within its campaign's conversion window, by an order
(web or store) of the customer, or an order redeeming the voucher it handed out.</li>
<li><b>Holdout</b>: occurrences deliberately not sent, for a fixed share of customers (the same
customers every run, chosen by a hash of campaign and customer), followed the same way from the
moment they were judged. <b>Lift</b> = conversion rate − holdout conversion rate.</li>
<li><b>Revenue</b>: each order is credited once, to the message whose voucher it carried, else
the latest message sent before it. Currencies are not converted.</li>
<li><b>NPS</b>: survey answers 9–10 are promoters, 0–6 detractors; NPS = % promoters −
% detractors.</li>
<li>Delivered counts providers that report delivery; opened counts email open pixels.</li>
</ul>
</section>
</body>
</html>
"""
