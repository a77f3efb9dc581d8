"""Journey experiments as a marketer reads them: per variant its recipients, opens, clicks and
conversions, the conversion rate with its 95 % interval, P(beats the control), P(best) and the
winner — as Markdown for Dagster's asset metadata and as the HTML report's "Experiments"
section. The run summary lays out the same cells (``variant_rows``) as a terminal table."""

from __future__ import annotations

from html import escape

from assets.journey_experiments import ExperimentResult
from models.experiment_stats import VariantStatistics
from models.markdown_text import markdown_literal

# (key, heading, numeric) of the per-variant table.
EXPERIMENT_COLUMNS = (
    ("variant", "Variant", False),
    ("sent", "Sent", True),
    ("opened", "Opened", True),
    ("clicked", "Clicked", True),
    ("converted", "Converted", True),
    ("conversion", "Conversion (95 % interval)", True),
    ("beats_control", "P(beats control)", True),
    ("best", "P(best)", True),
    ("winner", "Winner", False),
)

EXPERIMENTS_NOTE = (
    "Each recipient counts once per variant. Converted: as for campaigns, an order within the "
    "conversion window of the step's message, or one redeeming its voucher. The interval is "
    "Wilson's; the probabilities compare Beta(1 + converted, 1 + not converted) posteriors. "
    "With winner: auto, the variant that is best with a probability of at least 95 %, once every "
    "variant has its minimum sample, is recorded as the winner and gets the step's later "
    "recipients."
)


def experiment_title(result: ExperimentResult) -> str:
    journey, version, step = result.step
    experiment = result.experiment
    return (
        f"{journey} · {step} (version {version}): control {experiment.control}, "
        f"min. sample {experiment.min_sample}, winner {experiment.winner}"
    )


def variant_rows(result: ExperimentResult) -> list[dict[str, str]]:
    """Each variant's cells, formatted, keyed as EXPERIMENT_COLUMNS."""
    return [
        {
            "variant": name,
            "sent": f"{figures.sent:,}",
            "opened": f"{figures.opened:,}",
            "clicked": f"{figures.clicked:,}",
            "converted": f"{figures.converted:,}",
            "conversion": _conversion(result.statistics[name]),
            "beats_control": (
                "control"
                if name == result.experiment.control
                else _probability(result.statistics[name].beats_control)
            ),
            "best": _probability(result.statistics[name].best),
            "winner": _winner_mark(result, name),
        }
        for name, figures in result.figures.items()
    ]


def experiments_markdown(results: list[ExperimentResult]) -> str:
    """Every experiment as a titled Markdown table, for an asset's metadata."""
    if not results:
        return "No journey message split into variants yet."
    return "\n\n".join(
        f"**{markdown_literal(experiment_title(result))}**\n\n{_markdown_table(result)}"
        for result in results
    )


def experiments_html(results: list[ExperimentResult]) -> str:
    """The HTML report's Experiments section; nothing without an experiment."""
    if not results:
        return ""
    tables = "".join(
        f"<h3>{escape(experiment_title(result))}</h3>{_html_table(result)}" for result in results
    )
    return (
        f'<section><h2>Experiments</h2>{tables}<p class="notes">{escape(EXPERIMENTS_NOTE)}</p>'
        "</section>"
    )


def _markdown_table(result: ExperimentResult) -> str:
    head = "| " + " | ".join(heading for _, heading, _ in EXPERIMENT_COLUMNS) + " |"
    rule = "|" + "|".join("---:" if numeric else "---" for *_, numeric in EXPERIMENT_COLUMNS) + "|"
    body = [
        "| " + " | ".join(markdown_literal(row[key]) for key, *_ in EXPERIMENT_COLUMNS) + " |"
        for row in variant_rows(result)
    ]
    return "\n".join([head, rule, *body])


def _html_table(result: ExperimentResult) -> str:
    head = "".join(f"<th>{escape(heading)}</th>" for _, heading, _ in EXPERIMENT_COLUMNS)
    rows = "".join(
        "<tr>"
        + "".join(
            f'<td class="{"count" if numeric else "text"}">{escape(row[key])}</td>'
            for key, _, numeric in EXPERIMENT_COLUMNS
        )
        + "</tr>"
        for row in variant_rows(result)
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>"


def _conversion(statistics: VariantStatistics) -> str:
    rate, interval = statistics.counts.rate, statistics.interval
    if rate is None or interval is None:
        return "—"
    return f"{rate:.1%} ({interval.low:.1%}–{interval.high:.1%})"


def _probability(p: float | None) -> str:
    """A probability as a percentage; the extremes as bounds, never a certain 100 %."""
    if p is None:
        return "—"
    if p > 0.999:
        return ">99.9%"
    if p < 0.001:
        return "<0.1%"
    return f"{p:.1%}"


def _winner_mark(result: ExperimentResult, name: str) -> str:
    if result.recorded_winner == name:
        return "winner"
    if result.recorded_winner is None and result.significant == name:
        return "significant"
    return ""
