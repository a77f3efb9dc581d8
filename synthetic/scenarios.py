"""The built-in campaigns' and journeys' situations, planted relative to the as-of instant (the
table of them: docs/architecture.md, Built-in campaigns).

Natural behaviour alone would make some campaigns rare in a small data set (a birthday today in
200 customers, a car delivered exactly a week ago). So every ``period``-th customer is cast in
one scenario, in turn, and lives it on top of (or instead of) natural behaviour. Dates that a
campaign reads in customer-local time are computed in the customer's zone.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

from synthetic.catalog import Catalog, Product
from synthetic.clock import DAY, HOUR, add_months, is_leap, local_date, to_date
from synthetic.people import Customer
from synthetic.store import StoreSales
from synthetic.vehicles import Vehicles
from synthetic.web import LANDING_PAGES, Session, WebEvents, complete_order

SCENARIOS = (
    "birthday_today", "birthday_29_february", "abandoned_basket", "product_interest",
    "instore_cross_sell", "instore_cross_sell_card_only", "vehicle_welcome", "service_reminder",
    "vehicle_renewal", "satisfaction_survey", "winback", "new_customer",
)  # fmt: skip
NEEDS_STORE = frozenset({"instore_cross_sell", "instore_cross_sell_card_only", "winback"})
NEEDS_CARD = frozenset({"instore_cross_sell_card_only"})
# Nothing may spoil "has not bought" / "no order since" / "no order before signing up".
NO_NATURAL_ACTIVITY = NEEDS_STORE | {"new_customer"}
QUIET_DAYS = {"abandoned_basket": 5, "product_interest": 5}  # natural activity stops earlier
VEHICLE_SCENARIOS = frozenset(
    {"vehicle_welcome", "service_reminder", "vehicle_renewal", "satisfaction_survey"}
)
MAX_PERIOD = 200  # at scale, each scenario is 1 customer in 200
# New customers (the welcome_series journey): created 1 h to 6 days before the as-of. Every
# FIRST_ORDER_EVERY-th of them orders once, 1 to 3 days before the as-of, having signed up 4 to
# 6 days before it: so the data set, replayed from before those orders (an as-of 3.5 days
# earlier), enrols them and then sees them leave the journey on their order.
NEW_CUSTOMER_DAYS = 6
FIRST_ORDER_EVERY = 3


@dataclass(frozen=True)
class ScenarioPlan:
    """Which customer index plays which scenario: slots 0..10 of every ``period`` customers."""

    period: int
    offset: int

    @classmethod
    def for_size(cls, customers: int, seed: int) -> ScenarioPlan:
        period = max(2 * len(SCENARIOS), min(MAX_PERIOD, customers // 8))
        return cls(period, seed % period)

    def scenario_for(self, index: int) -> str | None:
        slot = (index + self.offset) % self.period
        return SCENARIOS[slot] if slot < len(SCENARIOS) else None

    def unscripted_spread(self, count: int, limit: int) -> list[int]:
        """Up to ``count`` distinct indices below ``limit``, spread out, that play no scenario."""
        chosen: list[int] = []
        for k in range(count):
            index = (2 * k + 1) * limit // (2 * count)
            while index < limit and (self.scenario_for(index) is not None or index in chosen):
                index += 1
            if index < limit:
                chosen.append(index)
        return chosen


class Scenarios:
    def __init__(
        self,
        rng: random.Random,
        as_of: int,
        web: WebEvents,
        store: StoreSales,
        vehicles: Vehicles,
        catalog: Catalog,
    ) -> None:
        self.rng, self.as_of = rng, as_of
        self.web, self.store, self.vehicles, self.catalog = web, store, vehicles, catalog
        self.new_customers = 0  # cast so far: every FIRST_ORDER_EVERY-th orders

    def shape(self, scenario: str, c: Customer) -> None:
        """Profile changes, before the customer row is written: birthdays, reachable contacts."""
        rng = self.rng
        if scenario == "birthday_today":
            today = local_date(c.zone, self.as_of)
            c.birth_date = date(
                self._birth_year(today.month == 2 and today.day == 29), today.month, today.day
            ).isoformat()
        elif scenario == "birthday_29_february":
            c.birth_date = date(self._birth_year(True), 2, 29).isoformat()
        elif scenario == "new_customer":
            self._sign_up(c)
        c.email_opt_in = bool(c.email) and (c.email_opt_in or rng.random() < 0.85)
        c.sms_opt_in = bool(c.phone) and (c.sms_opt_in or rng.random() < 0.6)

    def _birth_year(self, leap: bool) -> int:
        year = to_date(self.as_of).year - self.rng.randint(18, 80)
        while leap and not is_leap(year):
            year -= 1
        return year

    def play(self, scenario: str, c: Customer) -> None:
        """The scenario's behaviour: sessions, tickets or vehicles (birthdays have none)."""
        action = getattr(self, f"_{scenario}", None)
        if action is not None:
            action(c)

    def _sign_up(self, c: Customer) -> None:
        """Created in the CRM within the last days, edited since at most once."""
        rng = self.rng
        self.new_customers += 1
        if self._orders_first():
            c.created_at = self.as_of - rng.randint(4 * DAY, NEW_CUSTOMER_DAYS * DAY)
        else:
            c.created_at = self.as_of - rng.randint(HOUR, NEW_CUSTOMER_DAYS * DAY)
        edited = rng.random() < 0.3
        c.updated_at = rng.randint(c.created_at, self.as_of - HOUR) if edited else c.created_at

    def _orders_first(self) -> bool:
        """Whether the new customer being cast goes on to order."""
        return self.new_customers % FIRST_ORDER_EVERY == 0

    def _new_customer(self, c: Customer) -> None:
        """Signed up on the web shop (a look at a product or two, never a cart); every
        ``FIRST_ORDER_EVERY``-th comes back 1–3 days before the as-of and places a first order."""
        rng, web = self.rng, self.web
        device = web.device()
        s = web.session(device, c.created_at)
        s.add("page_view", rng.choice(LANDING_PAGES))
        s.login(rng, c.customer_id)
        for product in rng.sample(self.catalog.products, rng.randint(0, 2)):
            s.wait(rng, 10, 120)
            s.add("product_view", product.url, product)
        device.logged_in_as = c.customer_id
        web.flush(s)
        if self._orders_first():
            s = web.session(device, self.as_of - rng.randint(DAY, 3 * DAY))
            product = rng.choice(self.catalog.products)
            s.add("product_view", product.url, product)
            s.wait(rng, 5, 60)
            s.add("add_to_cart", product.url, product, ',"quantity":1')
            s.wait(rng, 20, 200)
            s.add("checkout_started", "/checkout")
            complete_order(web, s, [(product, 1)])
            web.flush(s)

    def _abandoned_basket(self, c: Customer) -> None:
        """Items in the cart 2–46 h ago, no order since; sometimes the cart was anonymous."""
        rng, web = self.rng, self.web
        s = web.session(web.device(), self.as_of - rng.randint(2 * HOUR, 46 * HOUR))
        s.add("page_view", rng.choice(LANDING_PAGES))
        anonymous_cart = rng.random() < 0.4
        if not anonymous_cart:
            s.login(rng, c.customer_id)
        products = rng.sample(self.catalog.products, rng.randint(1, 3))
        for p in products:
            s.wait(rng, 10, 120)
            s.add("product_view", p.url, p)
        for p in products:
            s.wait(rng, 5, 60)
            s.add("add_to_cart", p.url, p, ',"quantity":1')
        if len(products) > 1 and rng.random() < 0.3:
            s.wait(rng, 5, 60)
            s.add("remove_from_cart", products[-1].url, products[-1], ',"quantity":1')
        if anonymous_cart:
            s.login(rng, c.customer_id)
        elif rng.random() < 0.3:
            s.wait(rng, 20, 120)
            s.add("checkout_started", "/checkout")
        web.flush(s)

    def _product_interest(self, c: Customer) -> None:
        """4–6 views of one product over 1–3 visits in the last 60 h, never added to a cart."""
        rng, web = self.rng, self.web
        product = rng.choice(self.catalog.products)
        views, visits = rng.randint(4, 6), rng.randint(1, 3)
        per_visit = [1] * visits
        for _ in range(views - visits):
            per_visit[rng.randrange(visits)] += 1
        device, segment = web.device(), 58 * HOUR // visits
        for number, count in enumerate(per_visit):
            start = self.as_of - 60 * HOUR + number * segment + rng.randint(0, segment // 2)
            s = web.session(device, start)
            s.add("page_view", rng.choice(LANDING_PAGES))
            if s.customer_id is None:
                s.login(rng, c.customer_id)
            for _ in range(count):
                self._view(s, product)
            device.logged_in_as = c.customer_id
            web.flush(s)

    def _view(self, s: Session, product: Product) -> None:
        rng = self.rng
        if rng.random() < 0.4:
            other = rng.choice(self.catalog.products)
            s.wait(rng, 10, 120)
            s.add("product_view", other.url, other)
        s.wait(rng, 30, 300)
        s.add("product_view", product.url, product)

    def _instore_cross_sell(self, c: Customer, card_only: bool = False) -> None:
        """Trousers bought in store within the last 6 days; the matching jacket never bought."""
        rng, store = self.rng, self.store.home_store(c.country)
        assert store is not None
        trousers = rng.choice(self.catalog.paired_trousers)
        lines = [(trousers, 1)]
        other = rng.choice(self.catalog.products)
        if rng.random() < 0.5 and other.category not in ("trousers", "jacket"):
            lines.append((other, 1))
        ts = self.store.opening_instant(store, self.as_of - 6 * DAY, self.as_of - HOUR)
        customer_id = "" if card_only else c.customer_id
        self.store.ticket(store, ts, customer_id, c.loyalty_card_id, lines, soil=False)

    def _instore_cross_sell_card_only(self, c: Customer) -> None:
        self._instore_cross_sell(c, card_only=True)

    def _vehicle_welcome(self, c: Customer) -> None:
        delivered = self._today(c) - timedelta(days=self.rng.randint(0, 6))
        self.vehicles.write(c.customer_id, delivered, None, self.vehicles.interval())

    def _satisfaction_survey(self, c: Customer) -> None:
        delivered = self._today(c) - timedelta(days=7)
        self.vehicles.write(c.customer_id, delivered, None, self.vehicles.interval())

    def _vehicle_renewal(self, c: Customer) -> None:
        """Delivered three years ago (0–5 days past the anniversary), serviced recently."""
        rng, today = self.rng, self._today(c)
        delivered = add_months(today, -36) - timedelta(days=rng.randint(0, 5))
        last_service = today - timedelta(days=rng.randint(30, 200))
        self.vehicles.write(c.customer_id, delivered, last_service, "12")

    def _service_reminder(self, c: Customer) -> None:
        """Next service (last service, else delivery, + interval) due in 1–13 days."""
        rng, today = self.rng, self._today(c)
        interval = self.vehicles.interval()
        due = today + timedelta(days=rng.randint(1, 13))
        previous = add_months(due, -int(interval or 12))
        if rng.random() < 0.3:  # the first service: counted from delivery
            self.vehicles.write(c.customer_id, previous, None, interval)
        else:
            delivered = previous - timedelta(days=rng.randint(200, 1200))
            self.vehicles.write(c.customer_id, delivered, previous, interval)

    def _winback(self, c: Customer) -> None:
        """Two or three orders, online or in store, the last one 95–420 days ago."""
        rng, web = self.rng, self.web
        store, device = self.store.home_store(c.country), web.device()
        for ts in sorted(
            rng.randint(self.as_of - 420 * DAY, self.as_of - 95 * DAY)
            for _ in range(rng.randint(2, 3))
        ):
            if store is not None and rng.random() < 0.5:
                when = self.store.opening_instant(store, ts - 3 * DAY, ts)
                ids = self.store.identify(c.customer_id, c.loyalty_card_id)
                self.store.ticket(store, when, *ids, self.store.basket(), soil=False)
                continue
            s = web.session(device, ts)
            s.add("page_view", rng.choice(LANDING_PAGES))
            s.login(rng, c.customer_id)
            cart = []
            for p in rng.sample(self.catalog.products, rng.randint(1, 2)):
                s.wait(rng, 10, 120)
                s.add("product_view", p.url, p)
                s.wait(rng, 5, 60)
                s.add("add_to_cart", p.url, p, ',"quantity":1')
                cart.append((p, 1))
            s.wait(rng, 20, 200)
            s.add("checkout_started", "/checkout")
            complete_order(web, s, cart)
            web.flush(s)

    def _today(self, c: Customer) -> date:
        return local_date(c.zone, self.as_of)
