"""A journey hears a survey answered by e-mail, through every real part: the survey step is
rendered with its answer links, dispatched (the composer signs each link for its message), the
links are followed on the tracking service on a real socket, and branches on `scored` and
`replied` of that step take the answers."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from email import policy
from email.parser import BytesParser
from html import unescape
from pathlib import Path

import httpx
import psycopg
import pytest

from assets.dispatch import dispatch_channel
from assets.outbox_queue import Claim
from models.tracking import TrackingLinks
from senders.email_composition import EmailComposer
from senders.file import FileSender
from senders.retry_policy import RetryPolicy
from tests.assets.journey_datamart import (
    add_customer,
    add_entry,
    advance,
    create_datamart,
    write_journey,
)
from tests.senders.outbox_rows import FROM, SECRET, TRACKING_URL
from tests.tracking.live_service import running_service
from tracking.service import ServiceConfig
from warehouse.messaging_schema import migrate_messaging

FEEDBACK = """
name: feedback
description: An e-mail survey; promoters are thanked, other answers get a call back.
entry: {trigger: trg_signup}
priority: 50
conversion: {goal: order, window_days: 7}
send_window: {start: "00:00", end: "23:59"}
steps:
  - id: survey
    message: {channel: email}
  - id: two_days
    wait: {for: 2d}
  - id: promoter
    branch:
      if: {reaction: scored, step: survey, within: 2d, at_least: 9}
      then: thanks
      else: answered
  - id: answered
    branch:
      if: {reaction: replied, step: survey, within: 2d}
      then: call_back
      else: silent
  - id: thanks
    exit: {reason: promoter}
  - id: call_back
    exit: {reason: call_back}
  - id: silent
    exit: {reason: unanswered}
"""
SURVEY_HTML = (
    "<p>Your score?</p>"
    '{% for n in range(11) %}<a href="{{ survey_link(n) }}">{{ n }}</a>{% endfor %}'
)
SURVEY_TEXT = "Your score?\n{% for n in range(11) %}\n{{ n }}: {{ survey_link(n) }}\n{% endfor %}"


@pytest.fixture
def conn(database_url):
    migrate_messaging(database_url)
    with psycopg.connect(database_url, autocommit=True) as conn:
        create_datamart(conn)
        yield conn


def feedback_journey(folder: Path):
    spec = write_journey(folder, FEEDBACK, {"survey": "email"})
    templates = folder / "templates" / "feedback" / "survey" / "en"
    (templates / "email.html").write_text(SURVEY_HTML)
    (templates / "email.txt").write_text(SURVEY_TEXT)
    return spec


def answer_link(mailbox: Path, conn, customer_id: str, score: int) -> str:
    """The link of `score` in the survey mail the customer got, as its path and query."""
    [message_id] = conn.execute(
        "select message_id from messaging.outbox where customer_id = %s", (customer_id,)
    ).fetchone()
    mail = BytesParser(policy=policy.default).parsebytes(
        (mailbox / f"{message_id}.eml").read_bytes()
    )
    html = mail.get_body(("html",)).get_content()
    links = [unescape(url) for url in re.findall(r'href="([^"]+)"', html)]
    [link] = [url for url in links if url.endswith(f"score={score}") or f"score={score}&" in url]
    return link.removeprefix(TRACKING_URL)


def test_branches_on_the_survey_email_hear_the_score_given_by_its_links(
    conn, database_url, tmp_path
):
    spec = feedback_journey(tmp_path)
    now = datetime.now(UTC).replace(microsecond=0)
    for name in ("ada", "bob", "cy"):
        add_customer(conn, name)
        add_entry(conn, f"signup:{name}", name, now - timedelta(hours=1))
    advance(conn, tmp_path, [spec], now)
    mailbox = tmp_path / "outbox"
    composer = EmailComposer(FROM, TrackingLinks(TRACKING_URL, SECRET))
    sent = dispatch_channel(
        conn, FileSender(mailbox, composer), Claim("w1", "email"), RetryPolicy()
    )
    assert sent["sent"] == 3

    service = ServiceConfig(database_url=database_url, secret=SECRET, from_email=FROM)
    with running_service(service) as base, httpx.Client(base_url=base, timeout=10) as client:
        assert client.get(answer_link(mailbox, conn, "ada", 9)).status_code == 200
        assert client.get(answer_link(mailbox, conn, "bob", 4)).status_code == 200

    advance(conn, tmp_path, [spec], now + timedelta(days=2, hours=1))

    ended = conn.execute(
        "select customer_id, status, reason from messaging.journey_enrolments order by 1"
    ).fetchall()
    assert ended == [
        ("ada", "exited", "promoter"),
        ("bob", "exited", "call_back"),
        ("cy", "exited", "unanswered"),
    ]
