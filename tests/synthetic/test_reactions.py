"""Specifications of the simulated recipients (`touchpoint simulate-reactions`): who reacts, how,
and that the same sends always get the same reactions."""

from __future__ import annotations

import csv
import json
import random
import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from models.landing import POS_TRANSACTIONS, WEB_EVENTS
from models.messages import OutboundMessage
from models.tracking import TrackingLinks
from senders.email_composition import EmailComposer
from synthetic.mail_links import find_mail, links_in_mail
from synthetic.reaction_orders import write_orders
from synthetic.reactions import (
    REACTION_DELAY,
    SURVEY_CAMPAIGN,
    Exposure,
    MailLinks,
    Product,
    Rates,
    SentMessage,
    Voucher,
    discounted,
    plan_reactions,
    quota,
    survey_score,
)

SENT_AT = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
AS_OF = SENT_AT + timedelta(days=2)
PRODUCTS = [
    Product("P1", Decimal("79.90"), "EUR"),
    Product("P2", Decimal("189.00"), "EUR"),
    Product("P3", Decimal("12.50"), "EUR"),
]
SEED = 42


def mail(n: int, clicks: int = 1) -> MailLinks:
    base = f"https://t.example/c/{n}?url=https%3A%2F%2Fshop.example%2Fp"
    return MailLinks(
        f"https://t.example/o/{n}.gif?sig=s", tuple(f"{base}{i}" for i in range(clicks))
    )


def email(n: int, campaign: str = "abandoned_basket", clicks: int = 1, **extra) -> SentMessage:
    fields = dict(
        campaign=campaign,
        occurrence_key=f"K{n}",
        customer_id=f"C{n}",
        exposed_at=SENT_AT + timedelta(seconds=n),
        channel="email",
        recipient=f"c{n}@example.com",
        mail=mail(n, clicks),
    )
    return SentMessage(**(fields | extra))


def sms(n: int, campaign: str = "product_interest", number: str | None = None, **extra):
    fields = dict(
        campaign=campaign,
        occurrence_key=f"S{n}",
        customer_id=f"C{n}",
        exposed_at=SENT_AT + timedelta(seconds=n),
        channel="sms",
        recipient=number or f"+3361234{n:04d}",
    )
    return SentMessage(**(fields | extra))


def held(n: int, campaign: str = "abandoned_basket", **extra) -> Exposure:
    fields = dict(
        campaign=campaign, occurrence_key=f"H{n}", customer_id=f"H{n}", exposed_at=SENT_AT
    )
    return Exposure(**(fields | extra))


def population() -> tuple[list[SentMessage], list[Exposure]]:
    sent = [email(n) for n in range(600)]
    sent += [email(n, "birthday", clicks=0) for n in range(600, 1000)]
    sent += [sms(n, voucher=Voucher(f"V{n}", "percent", Decimal(30))) for n in range(1000, 1200)]
    sent += [sms(n, SURVEY_CAMPAIGN) for n in range(1200, 1400)]
    return sent, [held(n) for n in range(300)]


def test_the_same_sends_get_the_same_reactions_whatever_their_order():
    sent, held_out = population()
    shuffled = random.Random(1).sample(sent, len(sent))

    assert plan_reactions(sent, held_out, PRODUCTS, AS_OF, SEED) == plan_reactions(
        shuffled, held_out[::-1], PRODUCTS[::-1], AS_OF, SEED
    )


def test_another_seed_picks_other_recipients():
    sent, held_out = population()

    one = plan_reactions(sent, held_out, PRODUCTS, AS_OF, SEED)
    other = plan_reactions(sent, held_out, PRODUCTS, AS_OF, SEED + 1)

    assert len(one.opens) == len(other.opens)
    assert set(one.opens) != set(other.opens)


def test_rates_are_plausible_and_nobody_does_everything():
    sent, held_out = population()
    mails = [m for m in sent if m.channel == "email"]

    plan = plan_reactions(sent, held_out, PRODUCTS, AS_OF, SEED)

    assert len(plan.opens) == 400  # 40 % of 1000 mails
    assert len(plan.clicks) == 100  # 10 %
    orders_written_to = [o for o in plan.orders if not o.held_out]
    assert 0.02 < len(orders_written_to) / len(sent) < 0.10  # a few per cent convert
    assert len([o for o in plan.orders if o.held_out]) == 6  # 2 % of the 300 held out
    assert len(plan.survey_answers) == 120  # 60 % of 200 surveys
    assert len(plan.stops) == 20  # 5 % of 400 numbers
    opened = {link.split("/o/")[1].split(".")[0] for link in plan.opens}
    assert len(opened) < len(mails)


def test_a_click_follows_an_open_of_a_mail_with_links():
    sent, held_out = population()

    plan = plan_reactions(sent, held_out, PRODUCTS, AS_OF, SEED)

    opened = {link.split("/o/")[1].split(".")[0] for link in plan.opens}
    clicked = {link.split("/c/")[1].split("?")[0] for link in plan.clicks}
    assert clicked <= opened
    birthday_mails = {str(n) for n in range(600, 1000)}  # no links to click
    assert not clicked & birthday_mails


def test_a_small_send_still_shows_every_reaction():
    sent = [email(1), email(2), email(3), sms(4, SURVEY_CAMPAIGN), sms(5)]

    plan = plan_reactions(sent, [held(1)], PRODUCTS, AS_OF, SEED)

    assert (len(plan.opens), len(plan.clicks)) == (1, 1)
    assert len(plan.survey_answers) == len(plan.stops) == 1
    assert plan.survey_answers[0].number != plan.stops[0].number
    assert {o.held_out for o in plan.orders} == {False, True}


@pytest.mark.parametrize(
    ("rate", "eligible", "expected"), [(0.4, 0, 0), (0.4, 1, 1), (0.1, 3, 1), (0.1, 25, 3)]
)
def test_a_quota_rounds_and_is_at_least_one_when_anyone_is_eligible(rate, eligible, expected):
    assert quota(rate, eligible) == expected


def test_nobody_reacts_to_a_message_sent_after_the_as_of_instant():
    late = [email(n, exposed_at=AS_OF + timedelta(hours=1)) for n in range(10)]

    plan = plan_reactions(late, [], PRODUCTS, AS_OF, SEED)

    assert plan.opens == plan.clicks == plan.orders == ()


def test_a_score_answers_the_survey_only_when_it_was_the_last_sms_to_that_number():
    number = "+33612345678"
    survey_then_offer = [
        sms(1, SURVEY_CAMPAIGN, number),
        sms(2, "product_interest", number, exposed_at=SENT_AT + timedelta(hours=1)),
    ]
    offer_then_survey = [
        sms(3, "product_interest", number),
        sms(4, SURVEY_CAMPAIGN, number, exposed_at=SENT_AT + timedelta(hours=1)),
    ]

    assert plan_reactions(survey_then_offer, [], PRODUCTS, AS_OF, SEED).survey_answers == ()
    [answer] = plan_reactions(offer_then_survey, [], PRODUCTS, AS_OF, SEED).survey_answers
    assert answer.number == number and 0 <= int(answer.text) <= 10


def test_survey_scores_make_a_positive_but_not_perfect_nps():
    scores = [survey_score(SEED, f"survey:{n}") for n in range(2000)]
    promoters = sum(s >= 9 for s in scores) / len(scores)
    detractors = sum(s <= 6 for s in scores) / len(scores)

    assert set(scores) <= set(range(11)) and len(set(scores)) > 6
    assert 20 < 100 * (promoters - detractors) < 60


def test_orders_redeem_the_voucher_the_message_handed_out():
    offers = [sms(n, voucher=Voucher(f"CODE{n}", "percent", Decimal(30))) for n in range(20)]
    cross_sell = email(
        99,
        "instore_cross_sell",
        context={"match": {"product_id": "P2"}, "store_id": "S007"},
        voucher=Voucher("TENOFF", "amount", Decimal(10)),
    )

    plan = plan_reactions([*offers, cross_sell], [], PRODUCTS, AS_OF, SEED, Rates(open=1.0))

    redeemed = {o.customer_id: o for o in plan.orders}
    store = redeemed["C99"]  # clicked: buys the jacket the mail showed, in its store
    assert (store.product_id, store.store_id, store.voucher_code) == ("P2", "S007", "TENOFF")
    assert store.amount == Decimal("179.00")
    for order in plan.orders:
        assert order.voucher_code
        assert SENT_AT < order.ordered_at <= SENT_AT + timedelta(seconds=99) + REACTION_DELAY


def test_held_out_customers_buy_without_a_voucher_and_less_than_those_written_to():
    sent = [email(n, voucher=Voucher(f"V{n}", "amount", Decimal(5))) for n in range(40)]
    held_out = [held(n) for n in range(8)] + [held(n, "winback") for n in range(8, 12)]

    plan = plan_reactions(sent, held_out, PRODUCTS, AS_OF, SEED)

    [order] = [o for o in plan.orders if o.held_out]
    assert order.voucher_code == ""
    assert order.customer_id in {h.customer_id for h in held_out[:8]}  # abandoned_basket's
    converted = len([o for o in plan.orders if not o.held_out]) / len(sent)
    assert converted >= 1 / 8  # the holdout's one order in eight


def test_a_held_out_order_goes_where_it_does_not_beat_the_messages():
    sent = [email(n) for n in range(10)]  # two orders at most: 20 %
    held_out = [held(n) for n in range(3)] + [held(n, "winback") for n in range(3, 5)]

    plan = plan_reactions(sent, held_out, PRODUCTS, AS_OF, SEED)

    [order] = [o for o in plan.orders if o.held_out]
    assert order.customer_id in {"H3", "H4"}  # winback sent nothing: nothing to beat there


@pytest.mark.parametrize(
    ("voucher", "expected"),
    [
        (None, "80.00"),
        (Voucher("A", "percent", Decimal(30)), "56.00"),
        (Voucher("B", "amount", Decimal(10)), "70.00"),
        (Voucher("C", "amount", Decimal(100)), "0.00"),
    ],
)
def test_a_voucher_takes_its_value_off_the_price(voucher, expected):
    assert discounted(Decimal("80.00"), voucher) == Decimal(expected)


def test_the_links_of_a_mail_as_it_was_composed(tmp_path: Path):
    message_id = uuid.uuid4()
    target = "https://shop.example.com/p/P2?ref=mail&x=1"
    message = OutboundMessage(
        message_id=message_id,
        campaign="instore_cross_sell",
        occurrence_key="T1:P1",
        customer_id="C1",
        channel="email",
        recipient="c1@example.com",
        locale="en",
        subject="A jacket",
        body_text="A jacket",
        body_html=f'<html><body><p><a href="{target.replace("&", "&amp;")}">See it</a></p>'
        "</body></html>",
    )
    links = TrackingLinks("https://t.example", "secret")
    data = EmailComposer("shop <hello@shop.example>", links).compose(message).data
    (tmp_path / f"{message_id}.eml").write_bytes(data)

    found = find_mail([tmp_path / "absent", tmp_path], str(message_id))

    assert found == links_in_mail(data)
    assert found.open_pixel == links.open_pixel(message_id)
    assert found.clicks == (links.click(message_id, target),)
    assert find_mail([tmp_path], str(uuid.uuid4())) is None


def test_orders_land_as_files_of_the_landing_contract(tmp_path: Path):
    sent = [
        email(1, "instore_cross_sell", context={"store_id": "S001"}),
        email(2, voucher=Voucher("WEB5", "amount", Decimal(5))),
    ]
    everyone = Rates(open=1.0, click=1.0, buy_after_click=1.0)
    plan = plan_reactions(sent, [], PRODUCTS, AS_OF, SEED, everyone)

    written = write_orders(tmp_path, plan.orders, AS_OF)

    assert [p.relative_to(tmp_path).as_posix() for p in written] == [
        "pos/transactions/reactions_20260304T100000Z.csv",
        "web/events/reactions_20260304T100000Z.jsonl",
    ]
    with written[0].open(newline="") as file:
        [line] = list(csv.DictReader(file))
    assert tuple(line) == POS_TRANSACTIONS.columns
    assert (line["customer_id"], line["store_id"], line["voucher_code"]) == ("C1", "S001", "")
    [event] = [json.loads(text) for text in written[1].read_text().splitlines()]
    assert tuple(event) == WEB_EVENTS.columns
    assert (event["type"], event["customer_id"]) == ("order_completed", "C2")
    assert event["properties"]["voucher_code"] == "WEB5"
    assert datetime.fromisoformat(event["occurred_at"]) <= AS_OF
