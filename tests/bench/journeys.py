"""`make bench BENCH_ARGS="--only journeys"`: one journeys step moving a million enrolments.

A crafted datamart (tests/assets/journey_datamart.py) in the bench's own database holds N
customers in five time zones, the trigger rows that enrolled them two days ago (still within
their week, so every run's enrolment check reads them all), orders placed before the entry by
one customer in five (so the `order` exit has rows to look at, and finds none since), and N
enrolments at a one-day wait that is over, each with its `entered` move. All of it is written
set-based (``insert … select … from generate_series``), then vacuumed and analysed as
autovacuum would have left it.

The timed advance is the real step, ``run_journeys`` (advance, judge, render): every enrolment
leaves the wait, goes through a 50/50 split and arrives at a seven-day wait, whose end is
computed as it arrives: two moves and two transitions per enrolment, in one statement that
writes each enrolment once. No message step: the figure is the engine's, not the judgement's or
the renderer's (the campaigns section measures those). A second run an hour later, with every
wait in the future, is the idle cost a journey of N customers in flight adds to every run; it
comes after a vacuum, as autovacuum would have cleaned up the first run's old row versions by
then.
"""

from __future__ import annotations

import os
import time
from datetime import timedelta
from pathlib import Path
from tempfile import TemporaryDirectory

import psycopg

from assets.journey_engine import record_version
from assets.journey_step import run_journeys
from orchestration.embedded_postgres import EmbeddedPostgres
from tests.assets.journey_datamart import create_datamart, write_journey
from tests.bench.database import fresh_database

JOURNEY = """
name: bench_waits
description: A day's wait, then half one way and half the other, each to a week's wait.
entry: {trigger: trg_signup}
priority: 50
conversion: {goal: order, window_days: 7}
exit_when: [order, unsubscribed]
steps:
  - id: first_wait
    wait: {for: 1d}
  - id: which_way
    split:
      arms:
        left: {weight: 1, next: wait_left}
        right: {weight: 1, next: wait_right}
  - id: wait_left
    wait: {for: 7d}
    next: done
  - id: wait_right
    wait: {for: 7d}
  - id: done
    exit: {reason: done}
"""

ZONES = ("Europe/Paris", "Europe/London", "America/New_York", "Asia/Tokyo", "UTC")

# Each with %(n)s customers, entered at %(entered)s; the zones cycle.
POPULATE = (
    """
insert into marts.dim_customers (customer_id, timezone, can_email, can_sms, first_name, locale,
    language, country, email, phone)
select 'c' || i, (%(zones)s::text[])[1 + i %% 5], true, true, 'Customer ' || i, 'en', 'en', 'FR',
    'c' || i || '@example.com', '+336' || lpad(i::text, 8, '0')
from generate_series(1, %(n)s) as i
""",
    """
insert into triggers.trg_signup (occurrence_key, customer_id, occurred_at, expires_at, context)
select 'signup:c' || i, 'c' || i, %(entered)s, %(entered)s + interval '7 days', '{}'
from generate_series(1, %(n)s) as i
""",
    """
insert into marts.fct_orders (customer_id, ordered_at)
select 'c' || (i * 5), %(entered)s - interval '30 days' from generate_series(1, %(n)s / 5) as i
""",
    """
insert into messaging.journey_enrolments (journey, version, customer_id, entry_key, entered_at,
    time_zone, step, arrived_at, due_at, enrolled_as_of)
select 'bench_waits', %(version)s, 'c' || i, 'signup:c' || i, %(entered)s,
    (%(zones)s::text[])[1 + i %% 5], 'first_wait', %(entered)s, %(entered)s + interval '1 day',
    %(entered)s
from generate_series(1, %(n)s) as i
""",
    """
insert into messaging.journey_transitions (enrolment_id, from_step, to_step, moved_at, reason,
    as_of)
select enrolment_id, null, step, arrived_at, 'entered', enrolled_as_of
from messaging.journey_enrolments
""",
)


def bench_journeys(server: EmbeddedPostgres, enrolments: int, as_of) -> None:
    from warehouse.messaging_schema import migrate_messaging

    url = fresh_database(server, "bench_journeys")
    migrate_messaging(url)
    entered = as_of - timedelta(days=2)
    with TemporaryDirectory() as folder, psycopg.connect(url, autocommit=True) as conn:
        spec = write_journey(Path(folder), JOURNEY, {})
        started = time.perf_counter()
        create_datamart(conn)
        record_version(conn, spec)
        params = {
            "n": enrolments,
            "entered": entered,
            "version": spec.version,
            "zones": list(ZONES),
        }
        for statement in POPULATE:
            conn.execute(statement, params)
        conn.execute("vacuum analyze")
        print(f"journeys: {enrolments:,} enrolments at a wait that is over")
        print(f"  crafted and analysed in {time.perf_counter() - started:.1f} s")

        backend = conn.execute("select pg_backend_pid()").fetchone()[0]
        cpu, started = _cpu_seconds(backend), time.perf_counter()
        moved = run_journeys(conn, [spec], Path(folder), as_of)[spec.name].advance
        elapsed, cpu = time.perf_counter() - started, _cpu_seconds(backend) - cpu
        arrived = moved.moves[("which_way", "wait_left")] + moved.moves[("which_way", "wait_right")]
        print(
            f"  the move (wait → split → wait) : {elapsed:.1f} s, {arrived / elapsed:,.0f}"
            f" enrolments/s ({moved.moves[('first_wait', 'which_way')]:,} left the wait,"
            f" {moved.moves[('which_way', 'wait_left')]:,} went left)"
        )
        print(f"  server CPU for the move        : {cpu:.1f} s (other work on the machine aside)")

        conn.execute("vacuum analyze messaging.journey_enrolments, messaging.journey_transitions")
        started = time.perf_counter()
        idle = run_journeys(conn, [spec], Path(folder), as_of + timedelta(hours=1))[spec.name]
        elapsed = time.perf_counter() - started
        assert not idle.advance.moves.total(), idle.advance.moves
        print(
            f"  a run with nothing due         : {elapsed:.1f} s (idle cost, {arrived:,} in flight)"
        )


def _cpu_seconds(pid: int) -> float:
    """User and system CPU a local process has used (the embedded server runs on this machine):
    the move's cost apart from how much of the machine other work takes."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
