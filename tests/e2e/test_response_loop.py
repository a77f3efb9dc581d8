"""The whole loop, at the present instant, with every real part: the daily job sends (email over
SMTP to the local mailbox, SMS to files), the recipients react through the tracking service on
a real uvicorn socket (open, click, unsubscribe, a survey score by SMS and one by e-mail, STOP,
START), and the next runs act on it: no more mail to the unsubscribed, no SMS after STOP and
again after START, both survey scores in the NPS, the voucher order a conversion with its
revenue, the holdout's orders the lift.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from email import policy
from email.parser import BytesParser
from html import unescape
from zoneinfo import ZoneInfo

import httpx
import psycopg
import pytest
from dagster import DagsterInstance

from models.landing import CATALOG_PRODUCTS, CRM_VEHICLES, POS_TRANSACTIONS
from tests.assets.landing_files import (
    csv_text,
    customer,
    customers_csv,
    held_out,
    vehicle,
    write,
)
from tests.assets.outbox_seed import early_afternoon_zone
from tests.tracking.live_service import running_service
from tests.tracking.signing import post_signed
from tracking.service import ServiceConfig

TRACKING_URL = "https://t.shop.example"
LOOP_SECRET = "loop-secret"
SURVEYED = "+6591234567"


def surveyed_texts(client: httpx.Client, text: str, inbound_id: str) -> bool:
    """The surveyed customer's SMS, as their gateway signs and posts it; whether it was taken."""
    sms = {"from": SURVEYED, "to": "+6580000000", "text": text, "id": inbound_id}
    return post_signed(client, "/sms/inbound", sms, LOOP_SECRET).is_success


def cross_sell_ids() -> tuple[str, list[str]]:
    """One customer the in-store campaign treats, two its 10 % holdout keeps out."""
    ids = [f"X{n}" for n in range(400)]
    return next(i for i in ids if not held_out("instore_cross_sell", i, 0.1)), [
        i for i in ids if held_out("instore_cross_sell", i, 0.1)
    ][:2]


def store_line(transaction: str, customer_id: str, product: str, at: datetime, **extra) -> dict:
    return {
        "transaction_id": transaction,
        "line_number": "1",
        "store_id": "S1",
        "customer_id": customer_id,
        "product_id": product,
        "quantity": "1",
        "unit_price": "79.90" if product == "P1" else "189.00",
        "currency": "EUR",
        "purchased_at": at.isoformat(),
        **extra,
    }


PRODUCTS = [
    {"product_id": "P1", "name": "Chino trousers", "category": "trousers", "color": "navy",
     "price": "79.90", "currency": "EUR", "matches_product_id": "P2",
     "url": "https://shop.example.com/p1"},
    {"product_id": "P2", "name": "Navy blazer", "category": "jacket", "color": "navy",
     "price": "189.00", "currency": "EUR", "matches_product_id": "",
     "url": "https://shop.example.com/p2"},
]  # fmt: skip


class Loop:
    """The datamart, the landing zone and the job, run as of the moment of each call."""

    def __init__(self, url: str, landing, settings, job) -> None:
        self.url, self.landing, self.settings, self.job = url, landing, settings, job
        self.instance = DagsterInstance.ephemeral()
        self.zone = early_afternoon_zone(datetime.now(UTC))
        self.today = datetime.now(ZoneInfo(self.zone)).date()

    def run(self):
        from models.as_of import as_of_tags

        now = datetime.now(UTC).replace(microsecond=0) + timedelta(seconds=1)
        result = self.job.execute_in_process(tags=as_of_tags(now), instance=self.instance)
        assert result.success
        return result

    def write(self, relative: str, text: str) -> None:
        write(self.landing, relative, text)


@pytest.fixture(scope="module")
def loop_secret():
    """The module's runs sign with this secret; a secret reaches a run from the environment only."""
    with pytest.MonkeyPatch.context() as environment:
        environment.setenv("TOUCHPOINT_SECRET", LOOP_SECRET)
        yield LOOP_SECRET


@pytest.fixture(scope="module")
def loop(pg_server, dbt_manifest, tmp_path_factory, loop_secret):
    from orchestration.definitions import build_definitions
    from orchestration.jobs import DAILY_JOB
    from orchestration.settings import load_settings

    url = pg_server.url("e2e_loop")
    with psycopg.connect(pg_server.url("postgres"), autocommit=True) as conn:
        conn.execute("drop database if exists e2e_loop with (force)")
        conn.execute("create database e2e_loop")
    landing, home = tmp_path_factory.mktemp("landing"), tmp_path_factory.mktemp("home")
    settings = load_settings().model_copy(
        update=dict(
            database_url=url,
            landing=str(landing),
            home=home,
            smtp_url=None,
            email_sender="smtp",
            sms_sender="file",
            tracking_url=TRACKING_URL,
        )
    )
    job = build_definitions(settings).resolve_job_def(DAILY_JOB.name)
    loop = Loop(url, landing, settings, job)
    treated, holdout = cross_sell_ids()
    local = {"timezone": loop.zone, "language": "en", "country": ""}
    bought = datetime.now(UTC) - timedelta(days=1)
    loop.write(
        "crm/customers/customers.csv",
        customers_csv(
            customer("MAIL1", **local),
            customer("SMS1", phone=SURVEYED, sms_opt_in="true", email_opt_in="false", **local),
            # No SMS consent: the survey comes by e-mail, in French.
            customer("MAIL2", **(local | {"language": "fr"})),
            *(customer(c, **local) for c in [treated, *holdout]),
        ),
    )
    loop.write(
        "crm/vehicles/first.csv",
        csv_text(
            CRM_VEHICLES,
            [
                vehicle("V1", "MAIL1", loop.today - timedelta(days=1)),
                vehicle("V2", "SMS1", loop.today - timedelta(days=7)),
                vehicle("V6", "MAIL2", loop.today - timedelta(days=10)),
            ],
        ),
    )
    loop.write("catalog/products/catalog.csv", csv_text(CATALOG_PRODUCTS, PRODUCTS))
    loop.write(
        "pos/transactions/first.csv",
        csv_text(
            POS_TRANSACTIONS,
            [store_line(f"T-{c}", c, "P1", bought) for c in [treated, *holdout]],
        ),
    )
    loop.run()
    service = ServiceConfig(database_url=url, secret=LOOP_SECRET, from_email=settings.from_email)
    with running_service(service) as base, psycopg.connect(url, autocommit=True) as conn:
        yield loop, conn, httpx.Client(base_url=base, timeout=10), treated, holdout


def mail_of(loop: Loop, conn, customer_id: str, campaign: str):
    [message_id] = conn.execute(
        "select message_id from messaging.outbox where customer_id = %s and campaign = %s",
        (customer_id, campaign),
    ).fetchone()
    data = (loop.settings.mailbox_dir / f"{message_id}.eml").read_bytes()
    return BytesParser(policy=policy.default).parsebytes(data)


def links(mail) -> list[str]:
    html = mail.get_body(("html",)).get_content()
    return [unescape(u) for u in re.findall(r'(?:href|src)="([^"]+)"', html)]


def local_path(url: str) -> str:
    """The tracking service answers the path and query of a link, whatever host it runs on."""
    assert url.startswith(TRACKING_URL)
    return url.removeprefix(TRACKING_URL)


def outcomes(conn, customer_id: str) -> list[tuple[str, str]]:
    return conn.execute(
        "select campaign, outcome from messaging.occurrences where customer_id = %s "
        "order by decided_at, occurrence_key",
        (customer_id,),
    ).fetchall()


def latest(conn, customer_id: str, campaign: str) -> str:
    """The outcome of the customer's latest message of `campaign` (by the moment it was due)."""
    return conn.execute(
        "select outcome from messaging.occurrences where customer_id = %s and campaign = %s "
        "order by decided_at desc, occurred_at desc limit 1",
        (customer_id, campaign),
    ).fetchone()[0]


def test_the_whole_loop(loop):
    loop, conn, client, treated, holdout = loop
    assert outcomes(conn, "MAIL1") == [("vehicle_welcome", "sent")]
    # delivered a week ago: the journey records the welcome's time as past, and sends the survey
    assert set(outcomes(conn, "SMS1")) == {
        ("vehicle_welcome", "expired"),
        ("satisfaction_survey", "sent"),
    }
    # delivered ten days ago, no SMS allowed: the survey by e-mail
    assert set(outcomes(conn, "MAIL2")) == {
        ("vehicle_welcome", "expired"),
        ("satisfaction_survey", "no_consent"),
        ("vehicle_lifecycle.survey_email", "sent"),
    }
    assert outcomes(conn, treated) == [("instore_cross_sell", "sent")]
    assert {o for c in holdout for o in outcomes(conn, c)} == {("instore_cross_sell", "held_out")}

    # The welcome mail is opened, then its reader unsubscribes; the jacket's link is clicked.
    welcome = mail_of(loop, conn, "MAIL1", "vehicle_welcome")
    pixel = next(u for u in links(welcome) if "/o/" in u)
    unsubscribe = re.search(r"<(https://[^>]+)>", welcome["List-Unsubscribe"])[1]
    click = next(u for u in links(mail_of(loop, conn, treated, "instore_cross_sell")) if "/c/" in u)
    assert client.get(local_path(pixel)).status_code == 200
    redirect = client.get(local_path(click))
    assert (redirect.status_code, redirect.headers["location"]) == (302, PRODUCTS[1]["url"])
    assert client.get(local_path(click).replace("sig=", "sig=x")).status_code == 403
    assert client.post(local_path(unsubscribe), content=b"List-Unsubscribe=One-Click").is_success

    # The survey SMS is answered 9, then the customer sends STOP.
    assert surveyed_texts(client, "9", "in-1")
    assert surveyed_texts(client, "Stop!", "in-2")

    # The survey e-mail is answered 6, then, the reader's mind changed, 10: the latest counts.
    survey = mail_of(loop, conn, "MAIL2", "vehicle_lifecycle.survey_email")
    answers = {int(u.rsplit("score=", 1)[1].split("&")[0]): u for u in links(survey) if "/s/" in u}
    assert sorted(answers) == list(range(11))
    assert "6 sur 10" in client.get(local_path(answers[6])).text
    assert "10 sur 10" in client.get(local_path(answers[10])).text

    # The voucher is redeemed in store; one of the two held-out customers buys the jacket too.
    [code] = conn.execute(
        "select code from messaging.vouchers where customer_id = %s", (treated,)
    ).fetchone()
    now = datetime.now(UTC)
    loop.write(
        "pos/transactions/second.csv",
        csv_text(
            POS_TRANSACTIONS,
            [
                store_line("T-redeem", treated, "P2", now, voucher_code=code),
                store_line("T-hold", holdout[0], "P2", now),
            ],
        ),
    )
    # New vehicles: reasons to write to both customers again.
    loop.write(
        "crm/vehicles/second.csv",
        csv_text(
            CRM_VEHICLES,
            [
                vehicle("V3", "MAIL1", loop.today - timedelta(days=1)),
                vehicle("V4", "SMS1", loop.today - timedelta(days=7)),
            ],
        ),
    )
    loop.run()

    assert latest(conn, "MAIL1", "vehicle_welcome") == "no_consent"
    assert latest(conn, "SMS1", "satisfaction_survey") == "no_consent"
    events = dict(
        conn.execute(
            "select type, count(*) from messaging.message_events e "
            "join messaging.outbox m using (message_id) where m.customer_id = 'MAIL1' group by 1"
        ).fetchall()
    )
    assert {"sent": 1, "opened": 1, "unsubscribed": 1}.items() <= events.items()
    performance = {
        row[0]: row[1:]
        for row in conn.execute(
            "select campaign, sent, opened, clicked, unsubscribed, converted, revenue, "
            "holdout_size, holdout_converted, lift, nps_answers, nps "
            "from reports.rpt_campaign_performance"
        )
    }
    assert performance["vehicle_welcome"][:4] == (1, 1, 0, 1)  # sent, opened, clicked, unsub.
    assert performance["instore_cross_sell"][2] == 1  # clicked
    converted, revenue, holdout_size, holdout_converted, lift = performance["instore_cross_sell"][
        4:9
    ]
    assert (converted, float(revenue), holdout_size, holdout_converted) == (1, 189.0, 2, 1)
    assert float(lift) == pytest.approx(1.0 - 0.5)
    nps_answers, nps = performance["satisfaction_survey"][9:]
    assert (nps_answers, float(nps)) == (1, 100.0)
    assert performance["vehicle_lifecycle.survey_email"][9:] == (1, 100)
    answered = conn.execute(
        "select customer_id, channel, score, nps_category, make from marts.fct_survey_answers "
        "order by customer_id"
    ).fetchall()
    assert answered == [
        ("MAIL2", "email", 10, "promoter", "Renault"),
        ("SMS1", "sms", 9, "promoter", "Renault"),
    ]
    nps_rows = conn.execute(
        "select campaign, make, answers, nps from reports.rpt_nps order by 1"
    ).fetchall()
    assert [(c, m, a, float(n)) for c, m, a, n in nps_rows] == [
        ("satisfaction_survey", "Renault", 1, 100.0),
        ("vehicle_lifecycle.survey_email", "Renault", 1, 100.0),
    ]

    # START: SMS again.
    assert surveyed_texts(client, "START", "in-3")
    loop.write(
        "crm/vehicles/third.csv",
        csv_text(CRM_VEHICLES, [vehicle("V5", "SMS1", loop.today - timedelta(days=7))]),
    )
    loop.run()

    assert latest(conn, "SMS1", "satisfaction_survey") == "sent"
    replies = conn.execute(
        "select status from messaging.outbox where campaign = 'sms_keyword_reply' "
        "and customer_id = 'SMS1'"
    ).fetchall()
    assert replies == [("sent",), ("sent",)]  # one STOP confirmation, one START confirmation
