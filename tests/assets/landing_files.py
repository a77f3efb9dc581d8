"""Small crafted landing files for the ingestion tests."""

from __future__ import annotations

import csv
import hashlib
import io
import json
from datetime import date
from pathlib import Path

from models.landing import CRM_CUSTOMERS, LandingSource


def csv_text(source: LandingSource, rows: list[dict]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=source.columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


def write(root: Path, relative: str, text: str | bytes) -> Path:
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def customer(customer_id: str, **fields) -> dict:
    row = {
        "customer_id": customer_id,
        "email": f"{customer_id.lower()}@example.com",
        "phone": "+33612345678",
        "first_name": "Ann",
        "last_name": "Martin",
        "birth_date": "1990-04-12",
        "language": "fr",
        "country": "FR",
        "timezone": "Europe/Paris",
        "email_opt_in": "true",
        "sms_opt_in": "false",
        "loyalty_card_id": "",
        "created_at": "2025-01-01T10:00:00+01:00",
        "updated_at": "2025-01-01T10:00:00+01:00",
    }
    row.update(fields)
    return row


def customers_csv(*rows: dict) -> str:
    return csv_text(CRM_CUSTOMERS, list(rows))


def jsonl(*events: dict | str) -> str:
    return "".join((e if isinstance(e, str) else json.dumps(e)) + "\n" for e in events)


def web_event(event_id: str, **fields) -> dict:
    event = {
        "event_id": event_id,
        "occurred_at": "2026-11-20T10:00:00+01:00",
        "anonymous_id": "anon-1",
        "type": "page_view",
        "url": "https://shop.example.com/",
        "properties": {"session_id": "s1"},
    }
    event.update(fields)
    return event


def till_line(number: int, **fields) -> dict:
    """Line ``number`` of store transaction T1: one P1 at 59.90 EUR for customer C1."""
    line = {
        "transaction_id": "T1",
        "line_number": str(number),
        "store_id": "S1",
        "customer_id": "C1",
        "product_id": "P1",
        "quantity": "1",
        "unit_price": "59.90",
        "currency": "EUR",
        "purchased_at": "2026-11-20T15:00:00+01:00",
    }
    line.update(fields)
    return line


def vehicle(vehicle_id: str, customer_id: str, delivered: date) -> dict:
    """A Renault Clio delivered on ``delivered``, never serviced, on a 12-month interval."""
    return {
        "vehicle_id": vehicle_id,
        "customer_id": customer_id,
        "make": "Renault",
        "model": "Clio",
        "model_year": "2026",
        "delivered_at": delivered.isoformat(),
        "last_service_at": "",
        "service_interval_months": "12",
    }


def held_out(campaign: str, customer_id: str, fraction: float) -> bool:
    """The holdout rule (docs/architecture.md, Campaigns), to pick test customers on either side."""
    digest = hashlib.sha256(f"{campaign}:{customer_id}".encode()).hexdigest()
    return int(digest[:8], 16) / 2**32 < fraction
