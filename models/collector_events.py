"""Segment-style tracking calls as rows of the web events landing contract (docs/architecture.md).

``POST /v1/track``, ``/v1/page`` and ``/v1/batch`` take Segment's HTTP API shapes (the fields
listed in ``_SegmentCall``, nothing else). Each call becomes one ``raw.web_events`` row:

- ``event_id`` ← ``messageId``;
- ``occurred_at`` ← ``timestamp``, else ``originalTimestamp`` (ISO 8601 with an offset);
- ``customer_id`` ← ``userId``, ``anonymous_id`` ← ``anonymousId``;
- ``type`` ← ``page_view`` for a page call; for a track call ``event``, as Segment's
  e-commerce name ("Product Viewed" → ``product_view``, "Product Added" → ``add_to_cart``,
  "Order Completed" → ``order_completed``, …) or already a contract type;
- ``product_id``, ``order_id``, ``revenue``, ``currency`` ← the same names in ``properties``;
- ``url`` ← ``properties.url``, else ``context.page.url``; ``properties`` ← ``properties``.

A call that is well-formed JSON of that shape but breaks a row rule (no ``messageId``, a
timestamp without an offset, an event we do not know) is loaded as a reject with its reason,
exactly as a bad line in a landed file would be; only a body that is not that shape is refused.
"""

from __future__ import annotations

from typing import Any, Literal

import orjson
from pydantic import BaseModel, ConfigDict, StrictInt, StrictStr

from models.landing import WEB_EVENTS
from models.payloads import PayloadError, validated

COLLECTOR_SOURCE = "collector:segment"

SEGMENT_EVENT_TYPES = {
    "Page Viewed": "page_view",
    "Product Viewed": "product_view",
    "Product Added": "add_to_cart",
    "Product Removed": "remove_from_cart",
    "Checkout Started": "checkout_started",
    "Order Completed": "order_completed",
    "Signed In": "login",
}
_NOT_WEB_EVENTS = ("identify", "group", "alias", "screen")


class _SegmentCall(BaseModel):
    model_config = ConfigDict(extra="forbid")

    type: Literal["track", "page"] | None = None
    messageId: StrictStr | None = None
    timestamp: StrictStr | None = None
    originalTimestamp: StrictStr | None = None
    sentAt: StrictStr | None = None
    receivedAt: StrictStr | None = None
    anonymousId: StrictStr | None = None
    userId: StrictStr | None = None
    event: StrictStr | None = None
    name: StrictStr | None = None
    category: StrictStr | None = None
    properties: dict[str, Any] = {}
    context: dict[str, Any] = {}
    integrations: dict[str, Any] = {}
    channel: StrictStr | None = None
    version: StrictInt | StrictStr | None = None
    writeKey: StrictStr | None = None


class _SegmentBatch(BaseModel):
    model_config = ConfigDict(extra="forbid")

    batch: list[dict[str, Any]]
    sentAt: StrictStr | None = None
    context: dict[str, Any] = {}
    integrations: dict[str, Any] = {}
    writeKey: StrictStr | None = None
    metadata: dict[str, Any] = {}


WebEventRow = tuple[str | None, ...]  # WEB_EVENTS.columns, in order


def web_event_row(document: dict[str, Any], call: Literal["track", "page"]) -> WebEventRow:
    """One call as a raw row (text values, in the contract's column order)."""
    parsed = validated(_SegmentCall, document, f"{call} call")
    if parsed.type is not None and parsed.type != call:
        raise PayloadError(f"{call} call: type is {parsed.type!r}, expected {call!r}")
    properties = parsed.properties
    page = parsed.context.get("page")
    values = {
        "event_id": parsed.messageId,
        "occurred_at": parsed.timestamp or parsed.originalTimestamp,
        "anonymous_id": parsed.anonymousId,
        "customer_id": parsed.userId,
        "type": "page_view" if call == "page" else _event_type(parsed.event),
        "product_id": properties.get("product_id"),
        "order_id": properties.get("order_id"),
        "revenue": properties.get("revenue"),
        "currency": properties.get("currency"),
        "url": properties.get("url") or (page.get("url") if isinstance(page, dict) else None),
        "properties": properties or None,
    }
    return tuple(_text(values[column]) for column in WEB_EVENTS.columns)


def batch_rows(document: dict[str, Any]) -> tuple[list[tuple[WebEventRow, str]], int]:
    """The track and page calls of a batch with their JSON (kept with a reject), and how many
    other calls (identify, group, …: not web events) were left out."""
    parsed = validated(_SegmentBatch, document, "batch")
    rows, ignored = [], 0
    for index, item in enumerate(parsed.batch):
        kind = item.get("type")
        if kind in _NOT_WEB_EVENTS:
            ignored += 1
            continue
        if kind not in ("track", "page"):
            raise PayloadError(f"batch[{index}]: type must be track or page, got {kind!r}")
        try:
            rows.append((web_event_row(item, kind), raw_json(item)))
        except PayloadError as error:
            raise PayloadError(f"batch[{index}]: {error}") from None
    return rows, ignored


def raw_json(document: dict[str, Any]) -> str:
    return orjson.dumps(document).decode()


def _event_type(event: str | None) -> str | None:
    if event is None:
        return None
    return SEGMENT_EVENT_TYPES.get(event.strip(), event.strip())


def _text(value: Any) -> str | None:
    """As the file loader keeps values: text as is, objects as JSON, empty as missing."""
    if value is None:
        return None
    if isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, dict | list):
        text = orjson.dumps(value).decode()
    else:
        text = str(value)
    return text.strip() or None
