"""Customers per step, as the run summary and the journey asset's metadata show them: the steps
in the order written, the ended enrolments by outcome, on a real PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import psycopg
import pytest

from orchestration.journey_summary import journey_lines
from tests.assets.journey_datamart import (
    add_customer,
    add_entry,
    add_order,
    advance,
    create_datamart,
    write_journey,
)
from warehouse.messaging_schema import migrate_messaging

AS_OF = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
JOURNEY = """
name: greeting
description: A hello, three days, a second hello.
entry: {trigger: trg_signup}
priority: 50
conversion: {goal: order, window_days: 7}
send_window: {start: "00:00", end: "23:59"}
exit_when: [order]
steps:
  - id: hello
    message: {channel: email}
  - id: three_days
    wait: {for: 3d}
  - id: again
    message: {channel: email}
"""


@pytest.fixture
def conn(database_url):
    migrate_messaging(database_url)
    with psycopg.connect(database_url, autocommit=True) as conn:
        create_datamart(conn)
        yield conn


def test_nothing_is_shown_before_anyone_enrolled(conn):
    assert journey_lines(conn) == []


def test_customers_per_step_in_the_written_order_then_the_ended_by_outcome(
    conn, tmp_path, dbt_manifest
):
    from assets.journeys import funnel_table  # the journey assets read dbt's manifest at import

    spec = write_journey(tmp_path, JOURNEY, {"hello": "email", "again": "email"})
    for name, hours in (("ada", 80), ("bob", 1), ("cy", 2)):
        add_customer(conn, name)
        add_entry(conn, f"signup:{name}", name, AS_OF - timedelta(hours=hours))
    add_order(conn, "cy", AS_OF - timedelta(hours=1))

    result = advance(conn, tmp_path, [spec], AS_OF)

    assert journey_lines(conn) == [
        "Journeys: customers per step",
        "  greeting",
        "    hello                             0",
        "    three_days                        1",
        "    again                             0",
        "    (completed)                       1",
        "    (exited: order)                   1",
    ]
    assert funnel_table(spec, result.funnel).splitlines()[2:] == [
        "| hello | message | 0 |",
        "| three\\_days | wait | 1 |",
        "| again | message | 0 |",
        "| *completed* | ended | 1 |",
        "| *exited\\: order* | ended | 1 |",
    ]
