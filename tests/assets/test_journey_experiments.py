"""Journey experiments on the real datamart: messages written as the journey engine writes them,
orders at the till, real dbt building the marts, then the per-variant figures, the winners
`winner: auto` records (once, and only when every variant has its sample and one is best) and
the campaign report's Experiments section."""

from __future__ import annotations

from datetime import datetime, timedelta
from itertools import count

import psycopg
import pytest

from assets.campaign_report import read_report, report_metadata
from assets.journey_experiments import (
    ExperimentStep,
    VariantFigures,
    decide_winners,
    read_experiments,
    read_variant_figures,
    recorded_winners,
)
from assets.report_rendering import CampaignReport, html_page
from models.experiment_stats import Counts, decide_winner, wilson_interval
from orchestration.report_summary import report_lines
from tests.assets.journey_rows import (
    add_customers,
    add_journey_message,
    add_order,
    add_version,
    experiment_journey,
)
from tests.dbt.crafted_datamart import CraftedDatamart

AS_OF = datetime.fromisoformat("2026-11-23T12:00:00+00:00")
EARLY = datetime.fromisoformat("2026-11-10T10:00:00+00:00")
LATE = datetime.fromisoformat("2026-11-15T10:00:00+00:00")
BETWEEN = datetime.fromisoformat("2026-11-12T12:00:00+00:00")  # the early half sent, not the late

FIRST_ORDER = experiment_journey("first_order", 20, "auto", ("ten_percent", "ten_euros"))
SMALL_SAMPLE = experiment_journey("small_sample", 30, "auto", ("plain", "bold"))
CLOSE_CALL = experiment_journey("close_call", 10, "auto", ("plain", "bold"))
MANUAL_PICK = experiment_journey("manual_pick", 10, "manual", ("plain", "bold"))
JOURNEYS = (FIRST_ORDER, SMALL_SAMPLE, CLOSE_CALL, MANUAL_PICK)


def step(journey) -> ExperimentStep:
    return ExperimentStep(journey.name, journey.version, "offer")


def names(prefix: str, n: int) -> list[str]:
    return [f"{prefix}{i:02d}" for i in range(1, n + 1)]


class Run:
    """Writes a journey's messages; each recipient gets their own enrolment."""

    def __init__(self, conn: psycopg.Connection) -> None:
        self.conn = conn
        self.enrolments = count(1)

    def split(self, journey, variant, customers, converted=(), opened=(), clicked=()) -> None:
        """The first half sent EARLY, the rest LATE; the converted order a day after."""
        for i, customer in enumerate(customers):
            sent_at = EARLY if i < len(customers) // 2 else LATE
            reactions = ("opened",) * (customer in opened) + ("clicked",) * (customer in clicked)
            self.message(journey, "offer", variant, customer, sent_at, reactions)
            if customer in converted:
                add_order(self.conn, customer, sent_at + timedelta(days=1))

    def message(self, journey, step_id, variant, customer, sent_at, reactions=(), **kw) -> None:
        add_journey_message(
            self.conn, journey, step_id, variant, customer, next(self.enrolments), sent_at,
            reactions, **kw,
        )  # fmt: skip


def write_journey_runs(conn: psycopg.Connection) -> None:
    conn.execute(
        "insert into raw.catalog_products (product_id, name, category, color, price, currency, "
        "url, _source, _row_number, _loaded_at) values ('p1', 'Jacket', 'clothing', 'black', "
        "'40.00', 'EUR', 'https://shop.example/p1', 'catalog/products/j.csv', 1, "
        "'2026-01-02T00:00:00Z')"
    )
    run = Run(conn)
    for journey in JOURNEYS:
        add_version(conn, journey)
    # first_order: 2 of 24 convert with ten_percent, 14 of 24 with ten_euros.
    percent, euros = names("fp", 24), names("fe", 24)
    run.split(
        FIRST_ORDER, "ten_percent", percent, {"fp01", "fp13"}, percent[:10], percent[:4]
    )  # fmt: skip
    run.split(FIRST_ORDER, "ten_euros", euros, euros[:7] + euros[12:19], euros[:12], euros[:6])
    # fe01 enters again and gets the step again, opens it again: still one recipient.
    run.message(FIRST_ORDER, "offer", "ten_euros", "fe01", LATE + timedelta(days=2), ("opened",))
    # Not counted: a message still queued, one sent after the as-of instant, a held-out one.
    run.message(FIRST_ORDER, "offer", "ten_euros", "fe25", None)
    run.message(FIRST_ORDER, "offer", "ten_euros", "fe26", AS_OF + timedelta(days=1))
    run.message(FIRST_ORDER, "offer", None, "fh01", None, outcome="held_out")
    # A step without an experiment: its messages carry no variant.
    run.message(FIRST_ORDER, "follow_up", None, "fp01", EARLY + timedelta(days=2))
    # small_sample: a clear difference, but 10 recipients each where 30 are asked for.
    run.split(SMALL_SAMPLE, "plain", names("ssp", 10))
    run.split(SMALL_SAMPLE, "bold", names("ssb", 10), names("ssb", 8))
    # close_call: 5 and 7 of 20, which chance could explain.
    run.split(CLOSE_CALL, "plain", names("ccp", 20), names("ccp", 5))
    run.split(CLOSE_CALL, "bold", names("ccb", 20), names("ccb", 7))
    # manual_pick: the difference of small_sample with enough recipients, but winner: manual.
    run.split(MANUAL_PICK, "plain", names("mpp", 10))
    run.split(MANUAL_PICK, "bold", names("mpb", 10), names("mpb", 8))
    customers = [
        *percent, *euros, "fe25", "fe26", "fh01", *names("ssp", 10), *names("ssb", 10),
        *names("ccp", 20), *names("ccb", 20), *names("mpp", 10), *names("mpb", 10),
    ]  # fmt: skip
    add_customers(conn, customers)


@pytest.fixture(scope="module")
def datamart(pg_server, tmp_path_factory) -> CraftedDatamart:
    datamart = CraftedDatamart(
        pg_server, "dbt_journey_experiments_test", tmp_path_factory.mktemp("experiments")
    )
    with psycopg.connect(datamart.url, autocommit=True) as conn:
        write_journey_runs(conn)
    datamart.build(AS_OF.isoformat(), "+tag:reports")
    return datamart


@pytest.fixture
def conn(datamart):
    """A connection to the built datamart, with no winner recorded yet."""
    with psycopg.connect(datamart.url, autocommit=True) as conn:
        conn.execute("delete from messaging.journey_experiment_winners")
        yield conn


def winner_rows(conn) -> list[tuple]:
    return conn.execute(
        "select journey, version, step, variant, decided_at, evidence "
        "from messaging.journey_experiment_winners order by journey"
    ).fetchall()


# Figures


def test_each_variant_counts_its_recipients_once_and_what_they_did(conn):
    figures = read_variant_figures(conn, AS_OF)

    assert figures[step(FIRST_ORDER)] == {
        "ten_percent": VariantFigures(sent=24, opened=10, clicked=4, converted=2),
        "ten_euros": VariantFigures(sent=24, opened=12, clicked=6, converted=14),
    }


def test_figures_as_of_an_earlier_instant_hold_what_had_happened_by_then(conn):
    figures = read_variant_figures(conn, BETWEEN)

    assert figures[step(FIRST_ORDER)] == {
        "ten_percent": VariantFigures(sent=12, opened=10, clicked=4, converted=1),
        "ten_euros": VariantFigures(sent=12, opened=12, clicked=6, converted=7),
    }


def test_only_steps_split_into_variants_are_measured(conn):
    figures = read_variant_figures(conn)

    assert sorted(figures) == sorted(step(journey) for journey in JOURNEYS)
    assert all(len(by_variant) == 2 for by_variant in figures.values())


# Winners


def test_a_winner_is_recorded_once_every_variant_has_its_sample_and_one_is_best(conn):
    assert decide_winners(conn, JOURNEYS, BETWEEN) == {}, "12 recipients each, 20 asked for"
    assert winner_rows(conn) == []

    assert decide_winners(conn, JOURNEYS, AS_OF) == {step(FIRST_ORDER): "ten_euros"}

    [(journey, version, step_id, variant, decided_at, evidence)] = winner_rows(conn)
    assert (journey, version, step_id, variant) == (*step(FIRST_ORDER), "ten_euros")
    assert decided_at == AS_OF
    euros, percent = evidence["variants"]["ten_euros"], evidence["variants"]["ten_percent"]
    assert (euros["sent"], euros["opened"], euros["clicked"], euros["converted"]) == (24, 12, 6, 14)
    assert (percent["sent"], percent["converted"]) == (24, 2)
    assert euros["p_best"] >= 0.95 and euros["p_beats_control"] >= 0.95
    assert percent["p_beats_control"] is None
    interval = wilson_interval(Counts(24, 14))
    assert euros["interval"] == pytest.approx([interval.low, interval.high])
    assert (evidence["control"], evidence["min_sample"]) == ("ten_percent", 20)

    later = AS_OF + timedelta(days=3)
    assert decide_winners(conn, JOURNEYS, later) == {}
    assert winner_rows(conn) == [(journey, version, step_id, variant, decided_at, evidence)]


def test_a_recorded_winner_is_never_replaced(conn):
    conn.execute(
        "insert into messaging.journey_experiment_winners "
        "(journey, version, step, variant, decided_at, evidence) values (%s, %s, %s, %s, %s, '{}')",
        (*step(FIRST_ORDER), "ten_percent", BETWEEN),
    )

    assert decide_winners(conn, JOURNEYS, AS_OF) == {}
    assert recorded_winners(conn, "first_order", FIRST_ORDER.version) == {"offer": "ten_percent"}


def test_no_winner_short_of_the_sample_nor_without_significance_nor_when_manual(conn):
    figures = read_variant_figures(conn, AS_OF)
    small = {name: f.counts for name, f in figures[step(SMALL_SAMPLE)].items()}
    close = figures[step(CLOSE_CALL)]

    decide_winners(conn, JOURNEYS, AS_OF)

    assert [row[0] for row in winner_rows(conn)] == ["first_order"]
    assert decide_winner(small, min_sample=10) == "bold", "only the sample holds it back"
    assert all(f.sent >= 10 for f in close.values()), "enough recipients, no clear best"
    [manual] = [r for r in read_experiments(conn) if r.step == step(MANUAL_PICK)]
    assert (manual.significant, manual.recorded_winner) == ("bold", None)


def test_the_engine_reads_the_winner_of_its_version(conn):
    decide_winners(conn, JOURNEYS, AS_OF)

    assert recorded_winners(conn, "first_order", FIRST_ORDER.version) == {"offer": "ten_euros"}
    assert recorded_winners(conn, "first_order", "an-older-version") == {}
    assert recorded_winners(conn, "close_call", CLOSE_CALL.version) == {}


# The report


def test_the_report_shows_each_experiment_with_its_variants(conn, tmp_path):
    decide_winners(conn, JOURNEYS, AS_OF)

    report = read_report(conn)
    page = html_page(report)
    metadata = report_metadata(report, tmp_path / "report.html")
    summary = "\n".join(report_lines(conn))

    assert sorted(r.step for r in report.experiments) == sorted(step(j) for j in JOURNEYS)
    section = page[page.index("<h2>Experiments</h2>") :]
    title = f"first_order · offer (version {FIRST_ORDER.version}): control ten_percent"
    assert title in section
    assert (
        '<tr><td class="text">ten_euros</td><td class="count">24</td>'
        '<td class="count">12</td><td class="count">6</td><td class="count">14</td>'
        '<td class="count">58.3% (38.8%–75.5%)</td>' in section
    )
    assert '<td class="text">winner</td>' in section
    assert '<td class="count">control</td>' in section
    assert "ten\\_euros" in metadata["experiments"].value
    experiments = summary[summary.index("Experiments (journey steps split into variants)") :]
    [euros] = [line for line in experiments.splitlines() if line.strip().startswith("ten_euros")]
    assert euros.split()[:5] == ["ten_euros", "24", "12", "6", "14"]
    assert euros.rstrip().endswith("winner")


def test_without_a_journey_message_split_into_variants_the_report_has_no_experiments(tmp_path):
    report = CampaignReport(as_of=AS_OF, campaigns=[], daily=[], nps=[])

    assert "Experiments" not in html_page(report)
    assert "experiments" not in report_metadata(report, tmp_path / "report.html")
