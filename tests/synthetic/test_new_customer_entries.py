"""The welcome_series entry on a generated data set: `touchpoint generate`'s files ingested as
the landing assets ingest them, dbt building trg_new_customer (and what the journey engine
reads) at the as-of instant and at one 3.5 days earlier, and the built-in journeys run at both.
The planted new customers are entries; those who went on to order were entries before their
order, and the journey they enrolled in ends on it."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import psycopg
import pytest

from assets.expectations import BatchExpectations
from assets.file_ingestion import ingest_landing_source
from assets.landing_zone import FolderLandingZone
from models.landing import LANDING_SOURCES
from tests.dbt.crafted_datamart import CraftedDatamart
from tests.synthetic.test_generator import AS_OF, CUSTOMERS, SEED, generate, new_customers

ROOT = Path(__file__).resolve().parents[2]
BEFORE_THE_ORDERS = AS_OF - timedelta(days=3, hours=12)
ENGINE_READS = "+trg_new_customer +int_contact_suppressions +fct_messages +fct_conversions"


@pytest.fixture(scope="module")
def planted(tmp_path_factory):
    """(non-orderers, orderers) among the customers cast as new; the datamart with the files."""
    landing = generate(tmp_path_factory.mktemp("landing"), CUSTOMERS, SEED)
    cast, bought = new_customers(landing), landing.purchases()
    return {c for c in cast if c not in bought}, {c for c in cast if c in bought}, landing.root


@pytest.fixture(scope="module")
def datamart(pg_server, tmp_path_factory, planted) -> CraftedDatamart:
    datamart = CraftedDatamart(
        pg_server, "synthetic_new_customers", tmp_path_factory.mktemp("new_customers")
    )
    zone, expectations = FolderLandingZone(planted[2]), BatchExpectations()
    with (
        psycopg.connect(datamart.url, autocommit=True) as conn,
        psycopg.connect(datamart.url, autocommit=True) as staging,
    ):
        for source in LANDING_SOURCES:
            ingest_landing_source(conn, [staging], zone, source, expectations)
    return datamart


def entries(datamart: CraftedDatamart, as_of) -> set[str]:
    datamart.build(as_of.isoformat(), ENGINE_READS)
    return {r["customer_id"] for r in datamart.rows("select * from triggers.trg_new_customer")}


def welcome_series(datamart: CraftedDatamart, as_of) -> None:
    from assets.journey_step import run_journeys
    from models.journeys import DbtKnowledge, load_journeys
    from tests.models.campaign_files import documented_models

    knowledge = DbtKnowledge(documented_models(), {"customer_id"})
    specs = [s for s in load_journeys(ROOT / "journeys", knowledge) if s.name == "welcome_series"]
    with psycopg.connect(datamart.url, autocommit=True) as conn:
        run_journeys(conn, specs, ROOT / "journeys", as_of)


def test_the_new_customers_who_have_not_ordered_are_entries_of_the_welcome_series(
    datamart, planted
):
    waiting, ordered, _ = planted

    listed = entries(datamart, AS_OF)

    assert len(waiting) >= 4 and waiting <= listed
    assert not ordered & listed


def test_those_who_then_ordered_enrol_before_their_order_and_leave_the_journey_on_it(
    datamart, planted
):
    waiting, ordered, _ = planted

    assert len(ordered) >= 2 and ordered <= entries(datamart, BEFORE_THE_ORDERS)
    welcome_series(datamart, BEFORE_THE_ORDERS)
    entries(datamart, AS_OF)
    welcome_series(datamart, AS_OF)

    ended = {
        r["customer_id"]: (r["status"], r["reason"])
        for r in datamart.rows(
            "select customer_id, status, reason from messaging.journey_enrolments"
            " where journey = 'welcome_series'"
        )
    }
    assert {c: ended[c] for c in ordered} == dict.fromkeys(ordered, ("exited", "order"))
    assert {ended[c][0] for c in waiting} == {"active"}
