"""The campaign report's rendering without a database: figures formatted as a marketer reads
them, charts that are well-formed SVG with data and without, an empty datamart said plainly."""

from __future__ import annotations

import base64
from datetime import UTC, date, datetime
from decimal import Decimal
from xml.etree import ElementTree

from assets.report_charts import conversions_chart, funnel_chart, nps_chart
from assets.report_rendering import CampaignReport, html_page, markdown_image, markdown_table

AS_OF = datetime(2026, 11, 23, 12, tzinfo=UTC)


def campaign(name: str, **figures) -> dict:
    row = {
        "campaign": name,
        "sent": 0,
        "delivered": 0,
        "opened": 0,
        "clicked": 0,
        "replied": 0,
        "unsubscribed": 0,
        "converted": 0,
        "conversion_rate": None,
        "revenue": Decimal(0),
        "holdout_size": 0,
        "holdout_conversion_rate": None,
        "lift": None,
        "revenue_per_message": None,
        "nps_answers": 0,
        "nps": None,
        "as_of": AS_OF,
    }
    return {**row, **figures}


BASKET = campaign(
    "abandoned_basket",
    sent=1200,
    delivered=1150,
    opened=600,
    clicked=120,
    converted=96,
    conversion_rate=Decimal("0.08"),
    revenue=Decimal("5400.5"),
    holdout_size=130,
    holdout_conversion_rate=Decimal("0.05"),
    lift=Decimal("0.03"),
    revenue_per_message=Decimal("4.50"),
)
SURVEY = campaign("satisfaction_survey", sent=40, replied=30, nps_answers=30, nps=Decimal("43.3"))


def well_formed(svg: str) -> ElementTree.Element:
    return ElementTree.fromstring(svg)


def test_the_table_shows_rates_as_percentages_and_lift_in_points():
    table = markdown_table([BASKET, SURVEY])

    assert r"| abandoned\_basket | 1,200 | 1,150 | 600 | 120 | 0 | 96 | 8.0% | 5,400.50 |" in table
    assert "| 130 | 5.0% | +3.0 pp | 4.50 | — |" in table
    assert table.splitlines()[3].endswith("| +43 |")


def test_charts_are_well_formed_svg_with_and_without_data():
    daily = [
        {"campaign": "abandoned_basket", "order_date": date(2026, 11, 20), "conversions": 3},
        {"campaign": "birthday", "order_date": date(2026, 11, 20), "conversions": 2},
    ]
    nps = [{"label": "satisfaction_survey", "nps": Decimal("-20"), "answers": 5}]

    for svg in (
        funnel_chart([BASKET, SURVEY]),
        funnel_chart([]),
        conversions_chart(daily, ["abandoned_basket", "birthday"], date(2026, 11, 23)),
        conversions_chart([], [], None),
        nps_chart(nps),
        nps_chart([]),
    ):
        assert well_formed(svg).tag == "{http://www.w3.org/2000/svg}svg"


def test_a_chart_travels_as_a_data_uri_image_in_markdown():
    image = markdown_image("Funnel", funnel_chart([BASKET]))

    encoded = image.removeprefix("![Funnel](data:image/svg+xml;base64,").removesuffix(")")
    assert well_formed(base64.b64decode(encoded).decode())


def test_an_empty_datamart_gives_a_report_that_says_so():
    report = CampaignReport(as_of=None, campaigns=[], daily=[], nps=[])

    page = html_page(report)

    assert markdown_table([]) == "No campaign registered yet."
    assert "No campaign registered yet." in page
    assert "No message sent yet." in page and "No survey answer yet." in page
