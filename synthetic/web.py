"""Web analytics: browsing sessions as a tracker would export them, one JSON object a line.

A visitor browses anonymously under a device cookie (``anonymous_id``); many log in at some
point, after which events carry ``customer_id``; some devices stay logged in across sessions;
some visitors never log in. Sessions follow a shop funnel with realistic drop-off:
page_view → product_view → add_to_cart (→ remove_from_cart) → checkout_started →
order_completed.

Every key of the contract (``models.landing.WEB_EVENTS.columns``) is present, in its order,
``null`` where it does not apply. Lines are assembled as text (all values are generated here and
need no escaping), which is several times faster than ``json.dumps`` on a dict.
"""

from __future__ import annotations

import json
import random
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

from synthetic.catalog import CATEGORIES, SHOP_URL, Catalog, Product
from synthetic.clock import DAY, HOUR, Zone, iso, local_to_utc
from synthetic.rand import Weighted, between, pick

USER_AGENTS = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like "
    "Gecko) Version/17.5 Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/126.0.0.0 Mobile Safari/537.36",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/126.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/17.5 Safari/605.1.15",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:127.0) Gecko/20100101 Firefox/127.0",
)
LANDING_PAGES = ("/", "/", "/new-in", "/sale", *(f"/c/{c}" for c in CATEGORIES))
# local hour of day → relative traffic: quiet at night, peaks at lunch and in the evening
SHOPPING_HOURS = Weighted(range(24), (1, 1, 1, 1, 1, 1, 2, 4, 6, 7, 7, 8, 10, 9, 7, 7, 7, 8, 9,
                                      11, 12, 11, 8, 4))  # fmt: skip
NO_ORDER = '"order_id":null,"revenue":null,"currency":null'

WEB_WINDOW_DAYS = 60
WEB_ACTIVE_RATE = 0.55
STRANGER_RATE = 0.25

# (event_id, rest of the line after the event id, type, occurred_at)
AfterEvent = Callable[[str, str, str, str], None]


@dataclass(slots=True)
class Device:
    anonymous_id: str
    user_agent: str
    logged_in_as: str | None = None  # a remembered login: later sessions start identified


@dataclass(slots=True)
class Session:
    """One visit: events appended in time order, written out by ``WebEvents.flush``."""

    device: Device
    session_id: str
    clock: int
    customer_id: str | None
    events: list[tuple[str, str, str]] = field(default_factory=list)

    def add(
        self,
        type_: str,
        url: str,
        product: Product | None = None,
        extra: str = "",
        order: str = NO_ORDER,
    ) -> None:
        """Append an event; ``extra`` is JSON text for more properties (``,"quantity":1``)."""
        occurred_at = iso(self.clock)
        if not self.events:
            extra = f',"user_agent":"{self.device.user_agent}"{extra}'
        customer = f'"{self.customer_id}"' if self.customer_id else "null"
        product_id = f'"{product.product_id}"' if product else "null"
        full_url = SHOP_URL + url if url.startswith("/") else url
        rest = (
            f'"occurred_at":"{occurred_at}","anonymous_id":"{self.device.anonymous_id}",'
            f'"customer_id":{customer},"type":"{type_}","product_id":{product_id},{order},'
            f'"url":"{full_url}","properties":{{"session_id":"{self.session_id}"{extra}}}}}'
        )
        self.events.append((rest, type_, occurred_at))

    def wait(self, rng: random.Random, low: int = 4, high: int = 90) -> None:
        self.clock += low + int(rng.random() * (high - low + 1))

    def login(self, rng: random.Random, customer_id: str) -> None:
        self.wait(rng)
        self.customer_id = customer_id
        self.add("login", "/account/login")


class WebEvents:
    """Turns sessions into numbered event lines; owns the event and order counters."""

    def __init__(
        self,
        rng: random.Random,
        catalog: Catalog,
        sink: object,
        after_event: AfterEvent,
        visits: float = 1.0,
    ) -> None:
        """`visits` scales each customer's own sessions (1.0: the shop's usual traffic)."""
        self.rng, self.catalog, self.visits = rng, catalog, visits
        self.write_line = sink.write_line  # type: ignore[attr-defined]
        self.after_event = after_event
        self.events = 0
        self.orders = 0

    def device(self) -> Device:
        anonymous_id = str(uuid.UUID(int=self.rng.getrandbits(128), version=4))
        return Device(anonymous_id, pick(self.rng, USER_AGENTS))

    def session(self, device: Device, start: int) -> Session:
        return Session(device, f"{self.rng.getrandbits(64):016x}", start, device.logged_in_as)

    def flush(self, session: Session) -> None:
        write, after = self.write_line, self.after_event
        for rest, type_, occurred_at in session.events:
            self.events += 1
            event_id = f"E{self.events:010d}"
            write(f'{{"event_id":"{event_id}",{rest}')
            after(event_id, rest, type_, occurred_at)

    def next_order_id(self) -> str:
        self.orders += 1
        return f"O{self.orders:09d}"

    def pick_instant(self, zone: Zone, low: int, high: int) -> int:
        """An instant in [low, high], at a local hour people shop at."""
        rng = self.rng
        for _ in range(3):
            day = between(rng, low // DAY, high // DAY)
            local = day * DAY + SHOPPING_HOURS.pick(rng) * HOUR + int(rng.random() * HOUR)
            ts = local_to_utc(zone, local)
            if low <= ts <= high:
                return ts
        return between(rng, low, high)


def browse(web: WebEvents, s: Session, customer_id: str | None, login_rate: float) -> None:
    """A natural visit: landing pages, maybe a login, products, maybe a cart and an order."""
    rng, catalog = web.rng, web.catalog
    s.add("page_view", pick(rng, LANDING_PAGES))
    for _ in range(pick(rng, (0, 0, 1, 1, 2))):
        s.wait(rng)
        s.add("page_view", pick(rng, LANDING_PAGES))
    if customer_id and s.customer_id is None and rng.random() < login_rate:
        s.login(rng, customer_id)
    viewed = []
    for _ in range(pick(rng, (0, 1, 1, 2, 2, 3, 4, 5))):
        s.wait(rng, 10, 150)
        product = catalog.pick(rng)
        viewed.append(product)
        s.add("product_view", product.url, product)
    if viewed and rng.random() < 0.28:
        cart = fill_cart(web, s, viewed)
        if customer_id and rng.random() < 0.5:
            if s.customer_id is None:
                s.login(rng, customer_id)
            s.wait(rng, 20, 240)
            s.add("checkout_started", "/checkout")
            if rng.random() < 0.7:
                complete_order(web, s, cart)
    if s.customer_id and rng.random() < 0.5:
        s.device.logged_in_as = s.customer_id


def fill_cart(web: WebEvents, s: Session, viewed: list[Product]) -> list[tuple[Product, int]]:
    """One or two of the viewed products go to the cart; sometimes one comes back out."""
    rng = web.rng
    chosen = [pick(rng, viewed)]
    if len(viewed) > 1 and rng.random() < 0.35:
        other = pick(rng, viewed)
        if other is not chosen[0]:
            chosen.append(other)
    cart = []
    for product in chosen:
        quantity = 1 if rng.random() < 0.9 else 2
        s.wait(rng, 5, 60)
        s.add("add_to_cart", product.url, product, f',"quantity":{quantity}')
        cart.append((product, quantity))
    if len(cart) > 1 and rng.random() < 0.3:
        product, quantity = cart.pop(int(rng.random() * len(cart)))
        s.wait(rng, 5, 60)
        s.add("remove_from_cart", product.url, product, f',"quantity":{quantity}')
    return cart


def complete_order(web: WebEvents, s: Session, cart: list[tuple[Product, int]]) -> None:
    """``order_completed`` with the order id, revenue, and the lines under ``items``."""
    s.wait(web.rng, 60, 400)
    cents = sum(p.price_cents * q for p, q in cart)
    items = [{"product_id": p.product_id, "quantity": q, "unit_price": p.price} for p, q in cart]
    order = f'"order_id":"{web.next_order_id()}","revenue":{cents / 100:.2f},"currency":"EUR"'
    extra = ',"items":' + json.dumps(items, separators=(",", ":"))
    s.add("order_completed", "/checkout/confirmation", None, extra, order)


def natural_visits(web: WebEvents, customer_id: str, zone: Zone, low: int, high: int) -> None:
    """A customer's own sessions between ``low`` and ``high`` (most customers have a few)."""
    rng = web.rng
    if rng.random() >= WEB_ACTIVE_RATE or high - low < DAY:
        return
    count = 1 + min(40, int(rng.expovariate(1 / 1.6)))
    if rng.random() < 0.05:
        count += between(rng, 5, 20)  # the shop's fans
    count = max(1, round(count * web.visits))
    devices = [web.device() for _ in range(1 if rng.random() < 0.7 else 2)]
    login_rate = pick(rng, (0.35, 0.6, 0.8))
    for start in sorted(web.pick_instant(zone, low, high - 2 * HOUR) for _ in range(count)):
        session = web.session(pick(rng, devices), start)
        browse(web, session, customer_id, login_rate)
        web.flush(session)


def stranger_visit(web: WebEvents, zone: Zone, low: int, high: int) -> None:
    """A visitor the CRM does not know: browses, may add to the cart, never logs in."""
    if web.rng.random() >= STRANGER_RATE:
        return
    session = web.session(web.device(), web.pick_instant(zone, low, high - 2 * HOUR))
    browse(web, session, None, 0.0)
    web.flush(session)
