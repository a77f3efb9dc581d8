"""`touchpoint journey show` on a real PostgreSQL: a journey run by the engine on a crafted
datamart (tests/assets/journey_datamart.py), its hello dispatched for real through the file
sender and clicked, then the command run as a user runs it, its printed lines checked."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from subprocess import CompletedProcess
from zoneinfo import ZoneInfo

import psycopg
import pytest

from assets.dispatch import dispatch_channel
from assets.outbox_queue import Claim
from models.journeys import JourneySpec
from models.tracking import TrackingLinks
from senders.email_composition import EmailComposer
from senders.file import FileSender
from senders.retry_policy import RetryPolicy
from tests.assets.journey_datamart import (
    add_customer,
    add_entry,
    advance,
    create_datamart,
    step_of,
    write_journey,
)
from tests.assets.outbox_seed import early_afternoon_zone
from tests.senders.outbox_rows import FROM, SECRET, TRACKING_URL
from warehouse.messaging_schema import migrate_messaging

TOUCHPOINT = Path(sys.executable).with_name("touchpoint")
# Dispatch sends by the real clock, so the story happens around now, where it is early afternoon
# (inside any send window): the customers entered two hours ago.
NOW = datetime.now(UTC).replace(second=0, microsecond=0)
ZONE = early_afternoon_zone(NOW)
ENTERED = NOW - timedelta(hours=2)

WELCOME = """
name: welcome
description: A hello; a thank-you to those who click it within three days, an SMS to the others.
entry: {trigger: trg_signup}
priority: 50
conversion: {goal: order, window_days: 7}
send_window: {start: "00:00", end: "23:59"}
exit_when: [order, unsubscribed]
steps:
  - id: hello
    message: {channel: email}
  - id: a_day
    wait: {for: 1d}
  - id: clicked_hello
    branch:
      if: {reaction: clicked, step: hello, within: 3d}
      then: thanks
      else: nudge
  - id: nudge
    message: {channel: sms}
  - id: nudged
    exit: {reason: nudged}
  - id: thanks
    message: {channel: email}
"""
WELCOME_TEMPLATES = {"hello": "email", "nudge": "sms", "thanks": "email"}


@dataclass
class Story:
    conn: psycopg.Connection
    url: str
    spec: JourneySpec
    folder: Path

    def advance(self, as_of: datetime) -> None:
        advance(self.conn, self.folder, [self.spec], as_of)

    def show(self, *arguments: str, as_of: datetime | None = None) -> CompletedProcess[str]:
        """`touchpoint journey show welcome …` as a user runs it, on this datamart."""
        inherited = {k: v for k, v in os.environ.items() if not k.startswith("TOUCHPOINT_")}
        environment = inherited | {
            "TOUCHPOINT_HOME": str(self.folder / "home"),
            "TOUCHPOINT_DATABASE_URL": self.url,
        }
        when = ["--as-of", as_of.isoformat()] if as_of else []
        return subprocess.run(
            [str(TOUCHPOINT), "journey", "show", *arguments, *when],
            env=environment,
            capture_output=True,
            text=True,
            timeout=60,
        )

    def lines(self, customer: str, as_of: datetime) -> list[str]:
        done = self.show("welcome", "--customer", customer, as_of=as_of)
        assert done.returncode == 0, done.stderr
        return done.stdout.splitlines()

    def value(self, query: str, *params):
        return self.conn.execute(query, params).fetchone()[0]

    def sent_at(self, customer: str) -> datetime:
        return self.value(
            "select sent_at from messaging.outbox where customer_id = %s and campaign = %s",
            customer,
            "welcome.hello",
        )

    def enrolment(self, customer: str) -> int:
        return self.value(
            "select max(enrolment_id) from messaging.journey_enrolments where customer_id = %s",
            customer,
        )


@pytest.fixture
def story(database_url, tmp_path) -> Iterator[Story]:
    """ada and bob entered two hours ago; their hello was sent by dispatch; ada clicked it."""
    migrate_messaging(database_url)
    with psycopg.connect(database_url, autocommit=True) as conn:
        create_datamart(conn)
        spec = write_journey(tmp_path, WELCOME, WELCOME_TEMPLATES)
        for name in ("ada", "bob"):
            add_customer(conn, name, timezone=ZONE)
            add_entry(conn, f"signup:{name}", name, ENTERED)
        story = Story(conn, database_url, spec, tmp_path)
        story.advance(ENTERED + timedelta(minutes=1))
        composer = EmailComposer(FROM, TrackingLinks(TRACKING_URL, SECRET))
        sender = FileSender(tmp_path / "sent", composer)
        assert dispatch_channel(conn, sender, Claim("w", "email"), RetryPolicy())["sent"] == 2
        conn.execute(
            "insert into messaging.message_events (message_id, customer_id, channel, type,"
            " occurred_at) select message_id, customer_id, channel, 'clicked', sent_at"
            " + interval '10 minutes' from messaging.outbox where customer_id = 'ada'"
        )
        yield story


def local(moment: datetime) -> str:
    return moment.astimezone(ZoneInfo(ZONE)).isoformat(sep=" ", timespec="minutes")


def days_later(moment: datetime, days: int) -> datetime:
    """`days` on the customer's calendar: the same local time, whatever summer time does."""
    return (moment.astimezone(ZoneInfo(ZONE)) + timedelta(days=days)).astimezone(UTC)


def a_year_later(moment: datetime) -> datetime:
    """Twelve months on the customer's calendar (29 February gives 28 February, as in SQL)."""
    wall = moment.astimezone(ZoneInfo(ZONE))
    day = min(wall.day, 28) if (wall.month, wall.day) == (2, 29) else wall.day
    return wall.replace(year=wall.year + 1, day=day).astimezone(UTC)


def test_at_a_wait_they_see_what_they_got_how_they_reacted_and_when_the_wait_ends(story):
    sent, first_run = story.sent_at("ada"), ENTERED + timedelta(minutes=1)
    wait_ends = days_later(ENTERED, 1)
    recorded = story.value("select first_seen_at from messaging.journey_versions")

    lines = story.lines("ada", as_of=wait_ends - timedelta(hours=19))

    assert lines == [
        f"Journey welcome, customer ada (times in {ZONE}; now is "
        f"{local(wait_ends - timedelta(hours=19))})",
        "",
        f"Enrolment {story.enrolment('ada')}: active",
        f"  version: {story.spec.version}, recorded {local(recorded)}",
        f"  entered: {local(ENTERED)} by trg_signup signup:ada",
        f"  where: at a_day, a wait (for 1d) since {local(ENTERED)}",
        "  got:",
        f"    hello (welcome.hello), reached {local(ENTERED)}; sent by email at {local(sent)};"
        f" opened {local(sent + timedelta(minutes=10))}, clicked"
        f" {local(sent + timedelta(minutes=10))}, not replied",
        f"  next: the wait ends {local(wait_ends)} (in 19 h), then on to clicked_hello",
        f"  ends: early on order or unsubscribed; at the latest {local(a_year_later(ENTERED))}"
        " (expire_after 1y)",
        "  why:",
        f"    {local(ENTERED)}  (entry) -> hello: entered [run as of {local(first_run)}]",
        f"    {local(ENTERED)}  hello -> a_day: sent on [run as of {local(first_run)}]",
    ]


def test_at_a_branch_they_see_the_reaction_awaited_until_when_and_the_way_the_next_run_takes(
    story,
):
    story.advance(days_later(ENTERED, 1) + timedelta(hours=1))
    window_ends = days_later(story.sent_at("bob"), 3)

    waiting = story.lines("bob", as_of=window_ends - timedelta(days=1))
    over = story.lines("bob", as_of=window_ends + timedelta(minutes=1))
    story.advance(window_ends + timedelta(minutes=1))

    assert (
        "  where: at clicked_hello, a branch (if clicked hello within 3d) since "
        f"{local(days_later(ENTERED, 1))}"
    ) in waiting
    assert (
        f"  next: waits for clicked hello within 3d until {local(window_ends)} (in 1 d):"
        " then thanks, else nudge"
    ) in waiting
    assert (
        f"  next: not clicked hello within 3d by {local(window_ends)}:"
        " the next run takes else, to nudge"
    ) in over
    assert step_of(story.conn, "bob", "welcome") == ("exited", "nudged")


def test_an_ended_enrolment_says_how_it_ended_and_a_later_one_comes_first(story):
    second_run = days_later(ENTERED, 1) + timedelta(hours=1)
    story.advance(second_run)
    wait_ends = days_later(ENTERED, 1)

    ended = story.lines("ada", as_of=second_run)
    add_entry(story.conn, "signup:ada:again", "ada", second_run + timedelta(hours=1))
    story.advance(second_run + timedelta(hours=2))
    again = story.lines("ada", as_of=second_run + timedelta(hours=2))

    first = story.value(
        "select min(enrolment_id) from messaging.journey_enrolments where customer_id = 'ada'"
    )
    assert ended[2] == f"Enrolment {first}: completed"
    assert ended[5:6] == [f"  where: completed at {local(wait_ends)}, at thanks, a message (email)"]
    assert (
        "  next: nothing, the enrolment has ended; a new entry of trg_signup enrols them again"
    ) in ended
    assert ended[-3:] == [
        f"    {local(wait_ends)}  a_day -> clicked_hello: waited [run as of {local(second_run)}]",
        f"    {local(wait_ends)}  clicked_hello -> thanks: clicked hello within 3d"
        f" [run as of {local(second_run)}]",
        f"    {local(wait_ends)}  thanks -> (end): completed [run as of {local(second_run)}]",
    ]
    assert again[2] == f"Enrolment {story.enrolment('ada')}: active"
    assert again[-2:] == [
        "Earlier enrolments, latest first:",
        f"  Enrolment {first}: completed at {local(wait_ends)} at step thanks;"
        f" entered {local(ENTERED)} by signup:ada, version {story.spec.version}",
    ]


def test_a_customer_never_enrolled_gets_one_line_and_exit_code_1_an_unknown_journey_2(story):
    never = story.show("welcome", "--customer", "zoe")
    unknown = story.show("welcom", "--customer", "ada")

    assert (never.returncode, never.stdout) == (1, "")
    assert never.stderr == "customer zoe was never enrolled in welcome\n"
    assert (unknown.returncode, unknown.stdout) == (2, "")
    assert unknown.stderr == "no journey 'welcom' in the datamart; known: welcome\n"
