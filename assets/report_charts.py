"""The campaign report's charts as plain SVG: no plotting library, the same picture in the Dagster
UI (an image in Markdown, as a data URI) and inline in the HTML report.

Each function takes plain rows (dicts from the reports.rpt_* tables) and returns an SVG document.
"""

from __future__ import annotations

import base64
from collections.abc import Sequence
from datetime import date, timedelta
from xml.sax.saxutils import escape, quoteattr

# Tableau 10: distinct at a glance, readable for the common colour-vision deficiencies.
PALETTE = (
    "#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f",
    "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac",
)  # fmt: skip
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, Helvetica, Arial, sans-serif"
INK, MUTED, TRACK, GRID = "#1f2937", "#6b7280", "#eef0f3", "#d1d5db"
FUNNEL_STAGES = ("sent", "delivered", "opened", "clicked", "replied", "converted")


def data_uri(svg: str) -> str:
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()


def signed_score(value: float) -> str:
    """An NPS as marketers write it: +45, −20, 0."""
    rounded = round(float(value))
    return f"{rounded:+d}".replace("-", "−") if rounded else "0"


def colour(index: int) -> str:
    return PALETTE[index % len(PALETTE)]


def funnel_chart(rows: Sequence[dict]) -> str:
    """One line per campaign, one bar per stage, as a share of the messages sent."""
    label_w, cell_w, bar_w, row_h, top = 170, 112, 60, 26, 30
    width = label_w + cell_w * len(FUNNEL_STAGES)
    height = top + row_h * max(len(rows), 1) + 8
    parts = [
        _text(label_w + i * cell_w, 18, stage, weight="600")
        for i, stage in enumerate(FUNNEL_STAGES)
    ]
    if not rows:
        parts.append(_text(0, top + 16, "No message sent yet.", fill=MUTED))
    for r, row in enumerate(rows):
        y = top + r * row_h
        sent = row.get("sent") or 0
        parts.append(_text(0, y + 15, _short(row["campaign"], 26)))
        for i, stage in enumerate(FUNNEL_STAGES):
            x, value = label_w + i * cell_w, row.get(stage) or 0
            share = value / sent if sent else 0
            fill = PALETTE[4] if stage == "converted" else PALETTE[0]
            parts.append(_rect(x, y + 6, bar_w, 12, TRACK))
            parts.append(_rect(x, y + 6, bar_w * min(share, 1), 12, fill))
            label = f"{value:,}" if stage == "sent" else f"{value:,} · {share:.0%}"
            parts.append(_text(x + bar_w + 4, y + 16, label, size=11, fill=MUTED))
    return _svg(width, height, parts, "Funnel per campaign")


def conversions_chart(
    daily: Sequence[dict], campaigns: Sequence[str], end: date | None, days: int = 60
) -> str:
    """Orders converting each campaign's messages per day, stacked, over the `days` days up to
    `end` (the as-of date; None before any campaign was measured)."""
    width, left, right, top, plot_h = 760, 44, 12, 12, 180
    if end is None:
        return _svg(width, 60, [_text(0, 30, "No conversion yet.", fill=MUTED)], "Conversions")
    dates = [end - timedelta(days=n) for n in range(days - 1, -1, -1)]
    counts: dict[tuple[str, date], int] = {}
    for row in daily:
        key = (row["campaign"], row["order_date"])
        counts[key] = counts.get(key, 0) + int(row["conversions"] or 0)
    shown = [c for c in campaigns if any(counts.get((c, d)) for d in dates)]
    legend_rows = (len(shown) + 3) // 4
    height = top + plot_h + 28 + 18 * max(legend_rows, 1)
    totals = [sum(counts.get((c, d), 0) for c in shown) for d in dates]
    if not any(totals):
        note = f"No conversion in the {days} days before {end:%d %b %Y}."
        return _svg(width, 60, [_text(0, 30, note, fill=MUTED)], "Conversions over time")
    top_value = _nice_ceiling(max(totals))
    slot = (width - left - right) / days
    scale = plot_h / top_value
    parts = _y_axis(left, width - right, top, plot_h, top_value)
    for i, day in enumerate(dates):
        x, base = left + i * slot + 1, top + plot_h
        for c_index, campaign in enumerate(shown):
            value = counts.get((campaign, day), 0)
            if value:
                h = value * scale
                base -= h
                parts.append(_rect(x, base, max(slot - 2, 1), h, colour(c_index)))
        if i % 7 == (days - 1) % 7:
            anchor = "end" if i == days - 1 else "middle"
            label_x = x + slot if i == days - 1 else x + slot / 2
            parts.append(_text(label_x, top + plot_h + 16, f"{day:%d %b}", 11, MUTED, anchor))
    for n, campaign in enumerate(shown):
        x, y = (n % 4) * 190, top + plot_h + 28 + (n // 4) * 18
        parts.append(_rect(x, y + 2, 10, 10, colour(n)))
        parts.append(_text(x + 14, y + 11, _short(campaign, 24), 11))
    return _svg(width, height, parts, "Conversions over time")


def nps_chart(rows: Sequence[dict]) -> str:
    """A diverging bar per row (label, nps, answers, indent) on a −100…+100 scale."""
    label_w, half, row_h, top = 220, 220, 22, 24
    width = label_w + 2 * half + 90
    height = top + row_h * max(len(rows), 1) + 8
    zero = label_w + half
    parts = [
        _line(zero, top - 4, zero, height - 6, GRID),
        _text(label_w, 14, "−100", 11, MUTED),
        _text(zero, 14, "0", 11, MUTED, "middle"),
        _text(label_w + 2 * half, 14, "+100", 11, MUTED, "end"),
    ]
    if not rows:
        parts.append(_text(0, top + 15, "No survey answer yet.", fill=MUTED))
    for r, row in enumerate(rows):
        y, nps = top + r * row_h, float(row["nps"])
        indent = 16 if row.get("indent") else 0
        weight = "400" if indent else "600"
        parts.append(_text(indent, y + 15, _short(row["label"], 30), weight=weight))
        bar = half * abs(nps) / 100
        x = zero if nps >= 0 else zero - bar
        parts.append(_rect(x, y + 5, bar, 12, PALETTE[4] if nps >= 0 else PALETTE[2]))
        label = f"{signed_score(nps)} ({row['answers']:,})"
        parts.append(_text(label_w + 2 * half + 8, y + 15, label, 11, MUTED))
    return _svg(width, height, parts, "NPS per campaign and make")


def _y_axis(left: float, right: float, top: float, plot_h: float, top_value: int) -> list[str]:
    parts = []
    for tick in (0, top_value / 2, top_value):
        y = top + plot_h - tick * plot_h / top_value
        parts.append(_line(left, y, right, y, GRID))
        parts.append(_text(left - 6, y + 4, f"{tick:g}", 11, MUTED, "end"))
    return parts


def _nice_ceiling(value: float) -> int:
    """The smallest of 2, 4, 10, 20, 40, 100, … at or above value: even half-way ticks."""
    step = 1
    while True:
        for nice in (2 * step, 4 * step, 10 * step):
            if value <= nice:
                return nice
        step *= 10


def _short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _svg(width: float, height: float, parts: list[str], title: str) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:g}" height="{height:g}" '
        f'viewBox="0 0 {width:g} {height:g}" role="img" font-family={quoteattr(FONT)}>'
        f"<title>{escape(title)}</title>"
        # Opaque, so the chart stays readable on the Dagster UI's dark theme too.
        f'<rect width="100%" height="100%" fill="#ffffff"/>' + "".join(parts) + "</svg>"
    )


def _text(
    x: float,
    y: float,
    text: str,
    size: int = 12,
    fill: str = INK,
    anchor: str = "start",
    weight: str = "400",
) -> str:
    return (
        f'<text x="{x:g}" y="{y:g}" font-size="{size}" fill="{fill}" '
        f'text-anchor="{anchor}" font-weight="{weight}">{escape(text)}</text>'
    )


def _rect(x: float, y: float, width: float, height: float, fill: str) -> str:
    return f'<rect x="{x:g}" y="{y:g}" width="{width:.1f}" height="{height:.1f}" fill="{fill}"/>'


def _line(x1: float, y1: float, x2: float, y2: float, stroke: str) -> str:
    return f'<line x1="{x1:g}" y1="{y1:g}" x2="{x2:g}" y2="{y2:g}" stroke="{stroke}"/>'
