"""One pass over the customers; every source is written as the pass goes.

Memory stays flat whatever the customer count: only the catalogue, one customer and one session
at a time are held. Each concern draws from its own random stream derived from the seed, so the
output is a pure function of (customers, seed, as-of) and never of the machine or the hash seed.
"""

from __future__ import annotations

import hashlib
import random
import re
from dataclasses import dataclass
from pathlib import Path

from models.landing import (
    CATALOG_PRODUCTS,
    CRM_CUSTOMERS,
    CRM_VEHICLES,
    LANDING_SOURCES,
    POS_TRANSACTIONS,
    WEB_EVENTS,
    LandingSource,
)
from synthetic.catalog import build_catalog
from synthetic.clock import DAY, HOUR, local_date
from synthetic.dirt import CUSTOMER_DIRT, Dirt
from synthetic.people import Customer, CustomerFactory
from synthetic.scenarios import (
    NEEDS_CARD,
    NEEDS_STORE,
    NO_NATURAL_ACTIVITY,
    QUIET_DAYS,
    SCENARIOS,
    VEHICLE_SCENARIOS,
    ScenarioPlan,
    Scenarios,
)
from synthetic.store import STORE_WINDOW_DAYS, StoreSales
from synthetic.vehicles import Vehicles
from synthetic.web import WEB_WINDOW_DAYS, WebEvents, natural_visits, stranger_visit
from synthetic.writer import CsvSink, JsonlSink

GENERATED_NAME = re.compile(
    r"^(customers|customers_delta|vehicles|products|events|transactions)_\d{4}\.(csv|jsonl)$"
    r"|^legacy_export\.csv$"
)


@dataclass(frozen=True)
class Result:
    rows: dict[str, int]
    files: tuple[str, ...]
    dirt: dict[str, int]
    scenarios: dict[str, int]


def stream(seed: int, name: str) -> random.Random:
    """A random stream of its own for one concern, derived from the seed."""
    digest = hashlib.sha256(f"touchpoint-synthetic:{seed}:{name}".encode()).digest()
    return random.Random(int.from_bytes(digest[:16], "big"))


def remove_previous_output(root: Path) -> None:
    """Files an earlier run wrote (by their names only): a smaller run must not leave extras."""
    for source in LANDING_SOURCES:
        folder = root / source.folder
        if folder.is_dir():
            for path in sorted(folder.iterdir()):
                if path.is_file() and GENERATED_NAME.match(path.name):
                    path.unlink()


class Generator:
    def __init__(
        self, root: Path, customers: int, seed: int, as_of: int, max_rows: int, visits: float
    ) -> None:
        self.root, self.customers, self.as_of = root, customers, as_of
        self.files: list[str] = []
        self.out = self._csv_sinks(max_rows)
        self.events = JsonlSink(root, WEB_EVENTS.folder, "events", max_rows, self.files)
        self.catalog = build_catalog(stream(seed, "catalog"))
        self.plan = ScenarioPlan.for_size(customers, seed)
        forced = self.plan.unscripted_spread(len(CUSTOMER_DIRT), customers)
        forced_kinds = dict(zip(forced, CUSTOMER_DIRT, strict=False))
        self.dirt = Dirt(stream(seed, "dirt"), forced_kinds, self.events)
        self.people = CustomerFactory(stream(seed, "people"), as_of, seed)
        self.web = WebEvents(
            stream(seed, "web"), self.catalog, self.events, self.dirt.after_event, visits
        )
        self.store = StoreSales(
            stream(seed, "store"), self.catalog, self.out["pos"], self.dirt.missing_product_line
        )
        self.vehicles = Vehicles(stream(seed, "vehicles"), self.out["vehicles"])
        self.scenarios = Scenarios(
            stream(seed, "scenarios"), as_of, self.web, self.store, self.vehicles, self.catalog
        )
        self.scenario_counts = dict.fromkeys(SCENARIOS, 0)

    def _csv_sinks(self, max_rows: int) -> dict[str, CsvSink]:
        def sink(source: LandingSource, stem: str) -> CsvSink:
            return CsvSink(self.root, source.folder, stem, source.columns, max_rows, self.files)

        return {
            "products": sink(CATALOG_PRODUCTS, "products"),
            "customers": sink(CRM_CUSTOMERS, "customers"),
            "delta": sink(CRM_CUSTOMERS, "customers_delta"),  # later re-exports
            "vehicles": sink(CRM_VEHICLES, "vehicles"),
            "pos": sink(POS_TRANSACTIONS, "transactions"),
        }

    def run(self) -> Result:
        try:
            for product in self.catalog.products:
                self.out["products"].write(product.row())
            for index in range(self.customers):
                self._customer(index)
            self.files.append(self.dirt.legacy_export(self.root, CRM_CUSTOMERS.folder))
        finally:
            for sink in (*self.out.values(), self.events):
                sink.close()
        return self._result()

    def _customer(self, index: int) -> None:
        scenario = self.plan.scenario_for(index)
        customer = self.people.build(
            index,
            in_store_country=scenario in NEEDS_STORE,
            with_card=scenario in NEEDS_CARD,
            in_daytime=scenario is not None,
        )
        if scenario is None:
            self._write_with_dirt(customer)
        else:
            self.scenarios.shape(scenario, customer)
            self.out["customers"].write(customer.row())
        if scenario not in NO_NATURAL_ACTIVITY:
            self._natural(customer, scenario)
        low = self.as_of - WEB_WINDOW_DAYS * DAY
        stranger_visit(self.web, customer.zone, low, self.as_of)
        if scenario is not None:
            self.scenarios.play(scenario, customer)
            self.scenario_counts[scenario] += 1

    def _write_with_dirt(self, customer: Customer) -> None:
        kind = self.dirt.customer_kind(customer.index)
        if kind is None:
            self.out["customers"].write(customer.row())
            return
        row = self.dirt.soil(kind, customer)
        self.out["customers"].write(row)
        if kind == "missing_customer_id":  # the same person again, exported without a key
            self.out["customers"].write(["", *row[1:]])
        elif kind == "duplicate_customer":  # re-exported later, in the delta file
            self.out["delta"].write(self.dirt.reexport(customer, self.as_of))

    def _natural(self, c: Customer, scenario: str | None) -> None:
        as_of = self.as_of
        high = as_of - QUIET_DAYS.get(scenario or "", 0) * DAY
        low = as_of - WEB_WINDOW_DAYS * DAY
        natural_visits(self.web, c.customer_id, c.zone, low, high)
        low = as_of - STORE_WINDOW_DAYS * DAY
        self.store.natural_purchases(
            c.customer_id, c.loyalty_card_id, c.country, low, min(high, as_of - HOUR)
        )
        if scenario not in VEHICLE_SCENARIOS:
            self.vehicles.natural(c.customer_id, local_date(c.zone, as_of))

    def _result(self) -> Result:
        out = self.out
        rows = {
            CRM_CUSTOMERS.name: out["customers"].rows + out["delta"].rows,
            CRM_VEHICLES.name: out["vehicles"].rows,
            CATALOG_PRODUCTS.name: out["products"].rows,
            WEB_EVENTS.name: self.events.rows,
            POS_TRANSACTIONS.name: out["pos"].rows,
        }
        return Result(
            rows, tuple(sorted(self.files)), dict(self.dirt.counts), dict(self.scenario_counts)
        )


def generate(
    root: Path, customers: int, seed: int, as_of: int, max_rows: int, visits: float = 1.0
) -> Result:
    remove_previous_output(root)
    return Generator(root, customers, seed, as_of, max_rows, visits).run()
