"""``POST /ses/events``: SES events delivered by an SNS topic over HTTP(S).

A ``SubscriptionConfirmation`` is confirmed by fetching its ``SubscribeURL`` — only when that
is AWS's SNS host over HTTPS or the configured AWS endpoint (``models.provider_events.
trusted_subscribe_url``); anything else is refused (400) and nothing is fetched. A
``Notification`` carries one SES event, recorded once (``assets.response_events``). The answer
is 200 for every well-formed body, recorded or not (a duplicate, an event about no message of
ours, a kind we do not record), so SNS does not retry it; 400 for a body that is not an SNS
message or an SES event; 502 when a confirmation could not be fetched (SNS sends it again).

SNS message signatures are not checked (no X.509 library among the dependencies); what stops a
forged event is that it must name a message of ours (see ``assets.response_events``).
"""

from __future__ import annotations

import logging
import urllib.request
from urllib.error import URLError

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from assets.response_events import RECORD_PROVIDER_EVENT, outcome, provider_event_params
from models.payloads import PayloadError, json_object
from models.provider_events import (
    ProviderEvent,
    Skipped,
    SnsEnvelope,
    provider_message,
    trusted_subscribe_url,
)

log = logging.getLogger("touchpoint.tracking")

CONFIRM_TIMEOUT_SECONDS = 10


def provider_routes(aws_endpoints: tuple[str, ...]) -> list[Route]:
    async def ses_events(request: Request) -> Response:
        message = provider_message(json_object(await request.body()))
        if isinstance(message, SnsEnvelope):
            return await sns_control(message, aws_endpoints)
        if isinstance(message, Skipped):
            return JSONResponse({"recorded": False, "reason": message.reason})
        async with request.state.pool.connection() as conn:
            result = await record(conn, message)
        if result == "not_ours":
            log.info("SES event about no message of ours: %s", message.provider_message_id)
        return JSONResponse({"recorded": result == "recorded", "result": result})

    return [Route("/ses/events", ses_events, methods=["POST"])]


async def record(conn, event: ProviderEvent) -> str:
    cursor = await conn.execute(RECORD_PROVIDER_EVENT, provider_event_params(event))
    matched, inserted = await cursor.fetchone()
    return outcome(matched, inserted)


async def sns_control(envelope: SnsEnvelope, aws_endpoints: tuple[str, ...]) -> Response:
    """Confirm a subscription (from a trusted host only); acknowledge an unsubscribe."""
    if envelope.Type == "UnsubscribeConfirmation":
        return JSONResponse({"confirmed": False, "reason": "unsubscribe acknowledged"})
    url = envelope.SubscribeURL
    if not url or not trusted_subscribe_url(url, aws_endpoints):
        raise PayloadError(
            f"SubscribeURL {url!r} is not AWS's SNS host over HTTPS nor the configured AWS "
            "endpoint: not fetched"
        )
    try:
        status = await run_in_threadpool(_fetch, url)
    except (URLError, OSError, ValueError) as error:
        log.warning("could not confirm the SNS subscription to %s: %s", envelope.TopicArn, error)
        return JSONResponse({"confirmed": False, "reason": str(error)}, status_code=502)
    log.info("confirmed the SNS subscription to %s", envelope.TopicArn)
    return JSONResponse({"confirmed": status < 300, "topic": envelope.TopicArn})


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A confirmation URL that redirects elsewhere is not followed there."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):  # noqa: ANN001
        raise URLError(f"the SubscribeURL redirected ({code}) to {newurl!r}: not followed")


_OPENER = urllib.request.build_opener(_NoRedirects)


def _fetch(url: str) -> int:
    with _OPENER.open(url, timeout=CONFIRM_TIMEOUT_SECONDS) as response:
        response.read(65536)
        return response.status
