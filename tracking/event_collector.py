"""``POST /v1/track``, ``/v1/page``, ``/v1/batch``: a Segment-compatible web event collector.

Calls become ``raw.web_events`` rows (mapping in ``models.collector_events``), checked by the
landing rules in the same statement that inserts them (``warehouse.collected_events``); a call
that breaks a rule is kept in ``raw.web_events_rejects`` with its reason, and the answer lists
it. A body that is not such a call (not JSON, an unknown field, a wrong type) is refused with
400 and nothing is written; a batch is all or nothing in that respect. The new-behaviour sensor
notices the rows by their ``_loaded_at``, as it does a landed file's.

Calls must be signed (``X-Touchpoint-Signature``, ``tracking.webhook_auth``) like every
other inbound route: a collected event is behaviour that triggers paid messages (four product
views make a discount SMS), so an open collector would let anyone have us text anyone. The
collector is therefore for server-side sources — a backend, a tag-manager server container,
a relay in front of analytics.js — that hold ``TOUCHPOINT_SECRET``; a browser cannot.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from models.collector_events import COLLECTOR_SOURCE, batch_rows, raw_json, web_event_row
from models.payloads import json_object
from tracking.webhook_auth import WebhookGuard
from warehouse.collected_events import INSERT_COLLECTED_EVENTS, collected_events_params

BATCH_MAX_BODY = 500 * 1024  # Segment's own limit for a batch


def collector_routes(guard: WebhookGuard) -> list[Route]:
    async def track(request: Request) -> Response:
        document = json_object(await request.body())
        return await _insert(request, [(web_event_row(document, "track"), raw_json(document))])

    async def page(request: Request) -> Response:
        document = json_object(await request.body())
        return await _insert(request, [(web_event_row(document, "page"), raw_json(document))])

    async def batch(request: Request) -> Response:
        rows, ignored = batch_rows(json_object(await request.body()))
        return await _insert(request, rows, ignored)

    return [
        Route("/v1/track", guard(track), methods=["POST"]),
        Route("/v1/page", guard(page), methods=["POST"]),
        Route("/v1/batch", guard(batch), methods=["POST"], max_body_size=BATCH_MAX_BODY),
    ]


async def _insert(request: Request, rows: list, ignored: int = 0) -> Response:
    loaded, rejected = 0, []
    if rows:
        params = collected_events_params(
            [row for row, _ in rows], [text for _, text in rows], COLLECTOR_SOURCE
        )
        async with request.state.pool.connection() as conn:
            results = await (await conn.execute(INSERT_COLLECTED_EVENTS, params)).fetchall()
        event_ids = [row[0] for row, _ in rows]
        for row_number, reason in results:
            if reason is None:
                loaded += 1
            else:
                rejected.append({"messageId": event_ids[row_number - 1], "reason": reason})
    body = {"success": True, "loaded": loaded, "rejected": rejected}
    if ignored:
        body["ignored"] = ignored
    return JSONResponse(body)
