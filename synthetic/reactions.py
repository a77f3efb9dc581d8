"""Simulated recipients: who, among the customers a run reached or held out, reacts, and how.

`touchpoint simulate-reactions` plays the recipients of the messages a run sent, so that a later
run has reactions to measure: mails opened (their open pixel fetched) and clicked (a signed link
followed), survey scores and a STOP texted back, and orders — carrying the voucher a message
handed out, or placed by held-out customers who were never written to, so that the lift over
the holdout has something to compare.

**Deterministic.** The plan is a pure function of the seed and of what was sent. Recipients are
ranked by a hash of (seed, reaction, campaign, occurrence key) — never by the message id, which
is random — so the same sends always get the same reactions.

**Quotas, not coin flips.** Each reaction takes ``round(rate × eligible)`` recipients, at least
one wherever anyone is eligible, the first in that ranking. A coin flip per recipient would
leave a small data set, or a run at an hour when few send windows were open, with no click or
no conversion at all; a quota shows every part of the loop at plausible rates.
"""

from __future__ import annotations

import hashlib
from bisect import bisect
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from itertools import accumulate
from typing import TypeVar

SURVEY_CAMPAIGN = "satisfaction_survey"
# Orders come within two days of the message (or of the judgement that held the customer out).
REACTION_DELAY = timedelta(days=2)
# Survey scores 0–10, weighted as a well-liked dealer's customers answer: NPS about +38.
SCORE_WEIGHTS = (2, 1, 1, 2, 2, 4, 6, 10, 16, 26, 30)
_SCORE_BOUNDS = tuple(accumulate(SCORE_WEIGHTS))
CENT = Decimal("0.01")

T = TypeVar("T")


@dataclass(frozen=True)
class Rates:
    """Shares of the eligible recipients who react."""

    open: float = 0.40  # of the mails found: opened
    click: float = 0.10  # of the mails found: clicked (among those opened that have links)
    buy_after_click: float = 0.40  # of the messages clicked: an order
    redeem_voucher: float = 0.10  # of the other messages with a voucher: an order with it
    buy_anyway: float = 0.02  # of the other messages: an order
    buy_held_out: float = 0.02  # of the held-out occurrences: an order all the same
    answer_survey: float = 0.60  # of the surveys: a score texted back
    stop: float = 0.05  # of the numbers texted: STOP


@dataclass(frozen=True)
class MailLinks:
    """The tracking links in a mail as it landed: its open pixel and its signed click links."""

    open_pixel: str | None
    clicks: tuple[str, ...] = ()


@dataclass(frozen=True)
class Voucher:
    code: str
    kind: str  # "percent" or "amount"
    value: Decimal


@dataclass(frozen=True, kw_only=True)
class Exposure:
    """An occurrence a campaign acted on: a message sent, or the customer held out.

    ``exposed_at`` is when: the send, or the as-of instant of the run that held it out.
    ``context`` is the occurrence's context (the product, the store it was about).
    """

    campaign: str
    occurrence_key: str
    customer_id: str
    exposed_at: datetime
    context: dict = field(default_factory=dict, compare=False)

    @property
    def key(self) -> str:
        return f"{self.campaign}:{self.occurrence_key}"


@dataclass(frozen=True, kw_only=True)
class SentMessage(Exposure):
    channel: str  # "email" or "sms"
    recipient: str  # the address or E.164 number it went to
    voucher: Voucher | None = None
    mail: MailLinks | None = None  # None: not an email, or not found on this machine


@dataclass(frozen=True)
class Product:
    product_id: str
    price: Decimal
    currency: str


@dataclass(frozen=True)
class Sms:
    """An SMS a customer sends us, as their gateway would deliver it."""

    number: str
    text: str
    inbound_id: str


@dataclass(frozen=True)
class Order:
    """One order of one item: in the store the occurrence names, else on the web shop."""

    order_id: str
    customer_id: str
    ordered_at: datetime
    product_id: str
    amount: Decimal  # what was charged, the voucher deducted
    currency: str
    voucher_code: str  # "" without a voucher
    store_id: str  # "" for a web order
    held_out: bool


@dataclass(frozen=True)
class ReactionPlan:
    opens: tuple[str, ...]  # open pixels to fetch
    clicks: tuple[str, ...]  # signed click links to follow
    survey_answers: tuple[Sms, ...]
    stops: tuple[Sms, ...]
    orders: tuple[Order, ...]


def plan_reactions(
    sent: Sequence[SentMessage],
    held_out: Sequence[Exposure],
    products: Sequence[Product],
    as_of: datetime,
    seed: int,
    rates: Rates = Rates(),
) -> ReactionPlan:
    """Who reacts by ``as_of``, and how. Only exposures before ``as_of`` can react."""
    reached = [m for m in sent if m.exposed_at < as_of]
    mails = [m for m in reached if m.mail is not None and m.mail.open_pixel]
    opened = _chosen(mails, quota(rates.open, len(mails)), seed, "open")
    clickable = [m for m in opened if m.mail.clicks]
    clicked = _chosen(clickable, quota(rates.click, len(mails)), seed, "click")
    answered = _survey_answerers(reached, rates, seed)
    return ReactionPlan(
        opens=tuple(m.mail.open_pixel for m in opened),
        clicks=tuple(_pick(m.mail.clicks, seed, "link", m.key) for m in clicked),
        survey_answers=tuple(
            Sms(m.recipient, str(survey_score(seed, m.key)), _inbound_id(seed, "answer", m.key))
            for m in answered
        ),
        stops=tuple(
            Sms(number, "STOP", _inbound_id(seed, "stop", number))
            for number in _stoppers(reached, {m.recipient for m in answered}, rates, seed)
        ),
        orders=_orders(reached, held_out, {m.key for m in clicked}, products, as_of, seed, rates),
    )


def quota(rate: float, eligible: int) -> int:
    """``round(rate × eligible)`` (halves up), at least one when anyone is eligible."""
    if eligible == 0 or rate <= 0:
        return 0
    return min(eligible, max(1, int(rate * eligible + 0.5)))


def survey_score(seed: int, key: str) -> int:
    """A score 0–10 drawn from ``SCORE_WEIGHTS``."""
    return bisect(_SCORE_BOUNDS, _unit(seed, "score", key) * _SCORE_BOUNDS[-1])


def _survey_answerers(reached: Sequence[SentMessage], rates: Rates, seed: int) -> list[SentMessage]:
    """Surveys answered: only where the survey is the last SMS to that number, since the
    service takes a score as the answer to the last SMS it sent there."""
    last: dict[str, SentMessage] = {}
    for message in sorted(reached, key=lambda m: (m.exposed_at, m.key)):
        if message.channel == "sms":
            last[message.recipient] = message
    surveys = [m for m in last.values() if m.campaign == SURVEY_CAMPAIGN]
    return _chosen(surveys, quota(rates.answer_survey, len(surveys)), seed, "answer")


def _stoppers(
    reached: Sequence[SentMessage], answering: set[str], rates: Rates, seed: int
) -> list[str]:
    """Numbers that text STOP: not those answering a survey (their STOP would come after)."""
    numbers = sorted({m.recipient for m in reached if m.channel == "sms"})
    candidates = [n for n in numbers if n not in answering]
    return _chosen(candidates, quota(rates.stop, len(numbers)), seed, "stop", key=str)


def _orders(
    reached: Sequence[SentMessage],
    held_out: Sequence[Exposure],
    clicked: set[str],
    products: Sequence[Product],
    as_of: datetime,
    seed: int,
    rates: Rates,
) -> tuple[Order, ...]:
    if not products:
        return ()
    catalog = {p.product_id: p for p in products}
    buyers = _buyers(reached, clicked, seed, rates)
    held = [h for h in held_out if h.exposed_at < as_of]
    count = quota(rates.buy_held_out, len(held))
    held_buyers = _held_out_buyers(held, reached, buyers, count, seed)
    return tuple(
        [_order(m, catalog, as_of, seed, held_out=False) for m in buyers]
        + [_order(h, catalog, as_of, seed, held_out=True) for h in held_buyers]
    )


def _buyers(
    reached: Sequence[SentMessage], clicked: set[str], seed: int, rates: Rates
) -> list[SentMessage]:
    """Those who clicked buy most, those handed a voucher next, the others now and then."""
    groups = (
        ([m for m in reached if m.key in clicked], rates.buy_after_click),
        ([m for m in reached if m.key not in clicked and m.voucher], rates.redeem_voucher),
        ([m for m in reached if m.key not in clicked and not m.voucher], rates.buy_anyway),
    )
    return [
        m for group, rate in groups for m in _chosen(group, quota(rate, len(group)), seed, "buy")
    ]


def _held_out_buyers(
    held: Sequence[Exposure],
    reached: Sequence[SentMessage],
    buyers: Sequence[SentMessage],
    count: int,
    seed: int,
) -> list[Exposure]:
    """``count`` held-out customers who buy all the same, one at a time, each in the campaign
    where the holdout stays furthest behind the share of messages that converted; failing
    that, where nothing was sent to compare with. The premise of the synthetic world is that
    messages work: a holdout of three customers with one order would say otherwise."""
    sent = Counter(m.campaign for m in reached)
    converted = Counter(m.campaign for m in buyers)
    queues: dict[str, list[Exposure]] = {}
    for exposure in sorted(held, key=lambda h: _digest(seed, "buy", h.key)):
        queues.setdefault(exposure.campaign, []).append(exposure)
    placed: Counter[str] = Counter()

    def standing(campaign: str) -> tuple[int, float, str]:
        share = (placed[campaign] + 1) / len(queues[campaign])
        if not sent[campaign]:
            return (1, 0.0, campaign)
        margin = converted[campaign] / sent[campaign] - share
        return (0 if margin >= 0 else 2, -margin, campaign)

    chosen = []
    for _ in range(count):
        campaign = min((c for c in queues if placed[c] < len(queues[c])), key=standing)
        chosen.append(queues[campaign][placed[campaign]])
        placed[campaign] += 1
    return chosen


def _order(
    exposure: Exposure, catalog: dict[str, Product], as_of: datetime, seed: int, held_out: bool
) -> Order:
    """The item the message was about (else one from the catalogue), bought between the
    exposure and ``as_of``, with the message's voucher when it had one."""
    product = (
        catalog.get(_product_id(exposure.context))
        or catalog[_pick(sorted(catalog), seed, "product", exposure.key)]
    )
    voucher = getattr(exposure, "voucher", None)
    span = min(as_of - exposure.exposed_at, REACTION_DELAY)
    delay = span * (0.1 + 0.8 * _unit(seed, "when", exposure.key))
    return Order(
        order_id="R" + _digest(seed, "order", exposure.key).hex()[:11].upper(),
        customer_id=exposure.customer_id,
        ordered_at=(exposure.exposed_at + delay).replace(microsecond=0),
        product_id=product.product_id,
        amount=discounted(product.price, voucher),
        currency=product.currency,
        voucher_code=voucher.code if voucher else "",
        store_id=str(exposure.context.get("store_id") or ""),
        held_out=held_out,
    )


def discounted(price: Decimal, voucher: Voucher | None) -> Decimal:
    if voucher is None:
        return price
    if voucher.kind == "percent":
        return (price * (100 - voucher.value) / 100).quantize(CENT)
    return max(price - voucher.value, Decimal(0)).quantize(CENT)


def _product_id(context: dict) -> str | None:
    """The product an occurrence was about: the cross-sell's match, the product viewed, the
    basket's first item (docs/triggers.md)."""
    for name in ("match", "product"):
        if isinstance(context.get(name), dict):
            return context[name].get("product_id")
    items = context.get("items")
    if isinstance(items, list) and items and isinstance(items[0], dict):
        return items[0].get("product_id")
    return None


def _chosen(
    items: Sequence[T],
    count: int,
    seed: int,
    reaction: str,
    key: Callable[[T], str] = lambda item: item.key,  # type: ignore[attr-defined]
    first: Callable[[T], bool] = lambda item: False,
) -> list[T]:
    """The first ``count`` items, those with ``first`` ahead, then by their hash."""
    ranked = sorted(items, key=lambda item: (not first(item), _digest(seed, reaction, key(item))))
    return ranked[:count]


def _pick(options: Sequence[T], seed: int, reaction: str, key: str) -> T:
    return options[int(_unit(seed, reaction, key) * len(options))]


def _inbound_id(seed: int, reaction: str, key: str) -> str:
    return "simulated-" + _digest(seed, reaction, key).hex()[:20]


def _digest(seed: int, reaction: str, key: str) -> bytes:
    return hashlib.sha256(f"touchpoint-reactions:{seed}:{reaction}:{key}".encode()).digest()


def _unit(seed: int, reaction: str, key: str) -> float:
    """A number in [0, 1) from the hash."""
    return int.from_bytes(_digest(seed, reaction, key)[:8], "big") / 2**64
