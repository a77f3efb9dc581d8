"""Two `touchpoint run`s over clean landing files (a customer whose birthday is today) and rows
put straight into raw, past the ingest rules: how the e2e tests of staging's defences start.

Run through the real command in its own process, at the present instant (dispatch sends by the
wall clock), with the local mailbox and the file SMS outbox.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path
from zoneinfo import ZoneInfo

import psycopg

from tests.assets.landing_files import customer, customers_csv, write
from tests.assets.outbox_seed import early_afternoon_zone

ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Runs:
    url: str
    home: Path
    env: dict[str, str]
    first: subprocess.CompletedProcess
    second: subprocess.CompletedProcess

    def mails(self) -> list[EmailMessage]:
        parser = BytesParser(policy=policy.default)
        files = (self.home / "mailbox").glob("*.eml")
        return [parser.parsebytes(eml.read_bytes()) for eml in files]


def touchpoint_run(env: dict[str, str], *options: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(Path(sys.executable).with_name("touchpoint")), "run", *options],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )


def run_twice_with_raw_rows(
    pg_server,
    tmp_path_factory,
    database: str,
    land: Callable[[Path, date, dict], None],
    insert: Callable[[psycopg.Connection, date], None],
) -> Runs:
    """Land the birthday customer BD1 (and what ``land`` adds, given the landing folder, the
    local date and the customers' locale fields), ``insert`` rows into raw, run twice."""
    from warehouse.raw_schema import ensure_raw_schema

    now = datetime.now(UTC)
    zone = early_afternoon_zone(now)
    today = now.astimezone(ZoneInfo(zone)).date()
    local = {"timezone": zone, "language": "en", "country": ""}
    landing, home = tmp_path_factory.mktemp("landing"), tmp_path_factory.mktemp("home")
    birthday = customer("BD1", birth_date=f"1988-{today:%m-%d}", **local)  # turns 38 today
    write(landing, "crm/customers/customers.csv", customers_csv(birthday))
    land(landing, today, local)
    url = pg_server.url(database)
    with psycopg.connect(pg_server.url("postgres"), autocommit=True) as conn:
        conn.execute(f"drop database if exists {database} with (force)")
        conn.execute(f"create database {database}")
    with psycopg.connect(url, autocommit=True) as conn:
        ensure_raw_schema(conn)
        insert(conn, today)
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("TOUCHPOINT_")},
        "TOUCHPOINT_HOME": str(home),
        "TOUCHPOINT_DATABASE_URL": url,
        "TOUCHPOINT_LANDING": str(landing),
        "TOUCHPOINT_EMAIL_SENDER": "smtp",
        "TOUCHPOINT_SMS_SENDER": "file",
        "TOUCHPOINT_TRACKING_URL": "https://t.shop.example",
    }
    return Runs(url, home, env, touchpoint_run(env), touchpoint_run(env))
