"""Point of sale: store tickets exported one line per product, stamped in the store's local time.

A ticket names its customer when the till looked them up, else only the loyalty card that was
scanned (about 30 % of identified tickets), as real loyalty programmes do.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from synthetic.catalog import Catalog, Product
from synthetic.clock import DAY, HOUR, ZONES, Zone, iso_local, local_to_utc
from synthetic.people import COUNTRIES, Country
from synthetic.rand import Weighted, between, pick

STORE_COUNTS = {"FR": 14, "BE": 4, "DE": 6, "CH": 2, "GB": 3, "ES": 4, "IT": 3, "NL": 2}
STORE_WINDOW_DAYS = 90
STORE_ACTIVE_RATE = 0.4
CARD_ONLY_RATE = 0.45  # of tickets by card holders → ~30 % of identified tickets overall
VOUCHER_RATE = 0.03
VOUCHERS = ("WELCOME10", "SUMMER15", "LOYALTY5", "STUDENT10", "FRIENDS20")
LINE_COUNTS = Weighted((1, 2, 3, 4), (50, 30, 15, 5))

Line = tuple[Product, int]


@dataclass(frozen=True)
class Store:
    store_id: str
    country: str
    zone: Zone


def _stores() -> dict[str, tuple[Store, ...]]:
    stores: dict[str, tuple[Store, ...]] = {}
    number = 0
    for country in COUNTRIES:
        count = STORE_COUNTS.get(country.code, 0)
        zone = ZONES[country.zones[0]]
        stores[country.code] = tuple(
            Store(f"S{n:03d}", country.code, zone) for n in range(number + 1, number + count + 1)
        )
        number += count
    return stores


STORES_BY_COUNTRY = _stores()


class StoreSales:
    """Writes tickets; owns the transaction counter."""

    def __init__(
        self,
        rng: random.Random,
        catalog: Catalog,
        sink: Any,
        missing_product_line: Callable[[], bool],
    ) -> None:
        self.rng, self.catalog, self.sink = rng, catalog, sink
        self.missing_product_line = missing_product_line
        self.transactions = 0

    def home_store(self, country: Country) -> Store | None:
        stores = STORES_BY_COUNTRY.get(country.code)
        return pick(self.rng, stores) if stores else None

    def opening_instant(self, store: Store, low: int, high: int) -> int:
        """An instant in [low, high] when the store is open (Monday–Saturday, 09:30–19:30)."""
        rng = self.rng
        for _ in range(4):
            day = between(rng, low // DAY, high // DAY)
            if (day + 3) % 7 == 6:  # 1970-01-01 was a Thursday: this day is a Sunday
                day -= 1
            local = day * DAY + 9 * HOUR + 1800 + int(rng.random() * 10 * HOUR)
            ts = local_to_utc(store.zone, local)
            if low <= ts <= high:
                return ts
        return between(rng, low, high)

    def basket(self) -> list[Line]:
        rng = self.rng
        count = LINE_COUNTS.pick(rng)
        return [(self.catalog.pick(rng), 1 if rng.random() < 0.87 else 2) for _ in range(count)]

    def identify(self, customer_id: str, card: str) -> tuple[str, str]:
        if card and self.rng.random() < CARD_ONLY_RATE:
            return "", card
        return customer_id, card

    def ticket(
        self,
        store: Store,
        ts: int,
        customer_id: str,
        card: str,
        lines: list[Line],
        soil: bool = True,
    ) -> None:
        rng = self.rng
        self.transactions += 1
        transaction_id = f"T{self.transactions:010d}"
        voucher = pick(rng, VOUCHERS) if rng.random() < VOUCHER_RATE else ""
        purchased_at = iso_local(store.zone, ts)
        number = 0
        for number, (product, quantity) in enumerate(lines, start=1):
            cents = product.price_cents
            if rng.random() < 0.1:  # marked down
                cents = cents * 8 // 10
            self.sink.write(
                [
                    transaction_id,
                    str(number),
                    store.store_id,
                    customer_id,
                    card,
                    product.product_id,
                    str(quantity),
                    f"{cents // 100}.{cents % 100:02d}",
                    "EUR",
                    purchased_at,
                    voucher,
                ]
            )
        if soil and self.missing_product_line():  # a carrier bag keyed without its product
            self.sink.write(
                [
                    transaction_id,
                    str(number + 1),
                    store.store_id,
                    customer_id,
                    card,
                    "",
                    "1",
                    "0.10",
                    "EUR",
                    purchased_at,
                    voucher,
                ]
            )

    def natural_purchases(
        self, customer_id: str, card: str, country: Country, low: int, high: int
    ) -> None:
        """A customer's own store visits between ``low`` and ``high``."""
        rng = self.rng
        store = self.home_store(country)
        if store is None or rng.random() >= STORE_ACTIVE_RATE or high - low < DAY:
            return
        for _ in range(pick(rng, (1, 1, 1, 2, 2, 3, 4))):
            visited = store if rng.random() < 0.8 else self.home_store(country) or store
            ts = self.opening_instant(visited, low, high)
            self.ticket(visited, ts, *self.identify(customer_id, card), self.basket())
