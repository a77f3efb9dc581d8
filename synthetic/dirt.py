"""Deliberate dirt, the kind real exports carry, injected at small rates and counted.

Ingestion and staging must prove they cope: reject bad rows with a reason, quarantine a file
whose header is wrong, keep the latest of duplicated customers, fall back on a missing time zone.
A customer row carries at most one kind of dirt, and a scenario customer none, so that each
count in the summary is exactly what a reader of the files finds.
"""

from __future__ import annotations

import random
from itertools import accumulate
from pathlib import Path

from synthetic.clock import MINUTE
from synthetic.people import Customer, mobile_number, national_format
from synthetic.writer import JsonlSink, open_text

# per customer row; at most one kind a row
CUSTOMER_DIRT = {
    "invalid_email": 0.008,
    "invalid_phone": 0.006,
    "national_format_phone": 0.010,
    "invalid_timezone": 0.005,
    "empty_timezone": 0.008,
    "impossible_birth_date": 0.004,
    "duplicate_customer": 0.012,
    "missing_customer_id": 0.004,
}
MISSING_EVENT_ID_RATE = 0.001  # per event
MALFORMED_JSON_RATE = 0.0003  # per event, only in the first events file
MISSING_PRODUCT_RATE = 0.008  # per store ticket
FORCED_MISSING_EVENT_IDS = (5,)  # event numbers that surely get it, even in tiny data sets
FORCED_MALFORMED = (9, 40, 120)
DIRT_KINDS = (
    *CUSTOMER_DIRT, "missing_event_id", "malformed_json_line", "missing_pos_product_id",
    "wrong_header_file",
)  # fmt: skip

INVALID_EMAILS = (
    "{f}.{l}@", "no-at-sign.example.com", "{f}.{l}.example.com", "{f} {l}@mail.example",
    "{f}.{l}@@orange.example", "@gmail.example",
)  # fmt: skip
INVALID_PHONES = ("12345", "phone?", "n/a", "+33", "call me", "000")
INVALID_ZONES = ("Mars/Olympus", "Europe/Pariss", "Europe/Bruxelles", "America/New York",
                 "GMT+25")  # fmt: skip
IMPOSSIBLE_DATES = ("{y}-02-30", "{y}-04-31", "{y}-06-31", "{y}-11-31", "{y}-13-01")
LEGACY_HEADER = "id;mail;name"


class Dirt:
    """Decides where dirt goes and counts it."""

    def __init__(self, rng: random.Random, forced: dict[int, str], events: JsonlSink) -> None:
        self.rng = rng
        self.events = events
        self.forced = forced  # customer index → kind, so each kind shows up at least once
        self.counts = dict.fromkeys(DIRT_KINDS, 0)
        self._cum = list(zip(accumulate(CUSTOMER_DIRT.values()), CUSTOMER_DIRT, strict=True))
        self.events_seen = 0
        self.tickets_seen = 0

    def customer_kind(self, index: int) -> str | None:
        kind = self.forced.get(index)
        if kind is None:
            draw = self.rng.random()
            kind = next((k for bound, k in self._cum if draw < bound), None)
        if kind is not None:
            self.counts[kind] += 1
        return kind

    def soil(self, kind: str, customer: Customer) -> list[str]:
        """The customer's row with ``kind`` applied (row-level kinds only)."""
        rng, row = self.rng, customer.row()
        f, last = customer.first_name.lower(), customer.last_name.lower().replace(" ", "")
        if kind == "invalid_email":
            row[1] = rng.choice(INVALID_EMAILS).format(f=f, l=last)
        elif kind == "invalid_phone":
            row[2] = rng.choice(INVALID_PHONES)
        elif kind == "national_format_phone":
            phone = customer.phone or mobile_number(rng, customer.country, customer.timezone)
            row[2] = national_format(phone, customer.country)
        elif kind == "invalid_timezone":
            row[8] = rng.choice(INVALID_ZONES)
        elif kind == "empty_timezone":
            row[8] = ""
        elif kind == "impossible_birth_date":
            row[5] = rng.choice(IMPOSSIBLE_DATES).format(y=row[5][:4])
        return row

    def reexport(self, customer: Customer, as_of: int) -> list[str]:
        """The same customer exported again later, one field changed since."""
        rng = self.rng
        options = ["last_name"]
        if customer.email:
            options += ["email", "email_opt_in"]
        if customer.phone:
            options += ["phone", "sms_opt_in"]
        change = rng.choice(options)
        if change == "email":
            customer.email = customer.email.replace("@", f".{rng.randrange(10, 100)}@", 1)
        elif change == "email_opt_in":
            customer.email_opt_in = not customer.email_opt_in
        elif change == "phone":
            customer.phone = mobile_number(rng, customer.country, customer.timezone)
        elif change == "sms_opt_in":
            customer.sms_opt_in = not customer.sms_opt_in
        else:  # married
            customer.last_name = f"{customer.last_name}-{rng.choice(('Martin', 'Weber', 'Rossi'))}"
        customer.updated_at = rng.randint(customer.updated_at + MINUTE, as_of - MINUTE)
        return customer.row()

    def after_event(self, event_id: str, rest: str, type_: str, occurred_at: str) -> None:
        """Maybe a copy of the event without its id, maybe a broken line (first file only)."""
        sink = self.events
        self.events_seen += 1
        rng, n = self.rng, self.events_seen
        if n in FORCED_MISSING_EVENT_IDS or rng.random() < MISSING_EVENT_ID_RATE:
            sink.write_line('{"event_id":"",' + rest)
            self.counts["missing_event_id"] += 1
        broken = n in FORCED_MALFORMED or rng.random() < MALFORMED_JSON_RATE
        if broken and sink.file_number == 1:
            sink.write_line(self._broken(event_id, type_, occurred_at))
            self.counts["malformed_json_line"] += 1

    def _broken(self, event_id: str, type_: str, occurred_at: str) -> str:
        form = self.rng.randrange(3)
        if form == 0:  # cut short, as when the writer died mid-line
            return f'{{"event_id":"{event_id}","occurred_at":"{occurred_at[:13]}'
        if form == 1:  # a trailing comma
            return f'{{"event_id":"{event_id}","type":"{type_}",}}'
        return f"{{'event_id': '{event_id}', 'type': '{type_}'}}"  # a Python repr

    def missing_product_line(self) -> bool:
        self.tickets_seen += 1
        if self.tickets_seen == 1 or self.rng.random() < MISSING_PRODUCT_RATE:
            self.counts["missing_pos_product_id"] += 1
            return True
        return False

    def legacy_export(self, root: Path, folder: str) -> str:
        """A whole file from an old system, semicolon-separated, its header not the contract."""
        rng = self.rng
        relative = f"{folder}/legacy_export.csv"
        with open_text(root / relative) as handle:
            handle.write(LEGACY_HEADER + "\n")
            for n in range(1, 13):
                handle.write(
                    f"L{n:05d};client{rng.randrange(10**6):06d}@wanadoo.example;Client {n}\n"
                )
        self.counts["wrong_header_file"] += 1
        return relative
