"""The simulated recipients' orders as landing files (docs/architecture.md, Landing contract):
store orders as till lines in ``pos/transactions/``, web orders as ``order_completed`` events in
``web/events/``, each file named after the as-of instant the orders lead up to."""

from __future__ import annotations

import csv
import io
import json
import os
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

from models.landing import POS_TRANSACTIONS, WEB_EVENTS
from synthetic.catalog import SHOP_URL
from synthetic.reactions import Order

_IDS = uuid.UUID("5f0c2a4e-3b8d-4c1e-9a67-2d1f0b7e8c93")  # names the ids made from order ids


def write_orders(landing: Path, orders: Sequence[Order], as_of: datetime) -> list[Path]:
    """Write the orders; returns the files written (none for no orders of a kind)."""
    stamp = as_of.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    store = [_till_line(o) for o in orders if o.store_id]
    web = [_web_event(o) for o in orders if not o.store_id]
    written = []
    if store:
        path = landing / POS_TRANSACTIONS.folder / f"reactions_{stamp}.csv"
        _write_whole(path, _csv_text(POS_TRANSACTIONS.columns, store))
        written.append(path)
    if web:
        path = landing / WEB_EVENTS.folder / f"reactions_{stamp}.jsonl"
        _write_whole(path, "".join(json.dumps(event, ensure_ascii=False) + "\n" for event in web))
        written.append(path)
    return written


def _till_line(order: Order) -> list[str]:
    return [
        order.order_id,
        "1",
        order.store_id,
        order.customer_id,
        "",
        order.product_id,
        "1",
        str(order.amount),
        order.currency,
        order.ordered_at.isoformat(),
        order.voucher_code,
    ]


def _web_event(order: Order) -> dict:
    properties: dict = {
        "items": [
            {"product_id": order.product_id, "quantity": 1, "unit_price": float(order.amount)}
        ]
    }
    if order.voucher_code:
        properties["voucher_code"] = order.voucher_code
    event = {
        "event_id": str(uuid.uuid5(_IDS, f"event:{order.order_id}")),
        "occurred_at": order.ordered_at.isoformat(),
        "anonymous_id": str(uuid.uuid5(_IDS, f"device:{order.customer_id}")),
        "customer_id": order.customer_id,
        "type": "order_completed",
        "product_id": None,
        "order_id": order.order_id,
        "revenue": float(order.amount),
        "currency": order.currency,
        "url": f"{SHOP_URL}/checkout/confirmation",
        "properties": properties,
    }
    return event


def _csv_text(header: Sequence[str], rows: list[list[str]]) -> str:
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return text.getvalue()


def _write_whole(path: Path, text: str) -> None:
    """Written aside, then renamed: a landing watcher never sees half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.partial")
    partial.write_text(text, encoding="utf-8")
    os.replace(partial, path)
