"""``POST /ses/events``: SES events delivered by an SNS topic over HTTP(S).

Only signed requests get here (``tracking.webhook_auth``): an SNS message signed by AWS
for one of our topics, or a body under ``X-Touchpoint-Signature``. A
``SubscriptionConfirmation`` is then confirmed by fetching its ``SubscribeURL`` — only when
that is AWS's SNS host over HTTPS (``models.sns_signature.is_sns_url``); anything else is
refused (400) and nothing is fetched. A ``Notification`` carries one SES event, recorded once
(``warehouse.provider_events``). The answer is 200 for every well-formed body, recorded or not (a
duplicate, an event about no message of ours, a kind we do not record), so SNS does not retry
it; 400 for a body that is not an SNS message or an SES event; 502 when a confirmation could
not be fetched (SNS sends it again).
"""

from __future__ import annotations

import logging
from urllib.error import URLError

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from models.payloads import PayloadError, json_object
from models.sns_envelope import SnsEnvelope
from models.sns_signature import is_sns_url
from tracking.sns_verification import Fetch
from tracking.webhook_auth import WebhookGuard
from warehouse.provider_events import Skipped, provider_message, record_provider_event_async

log = logging.getLogger("touchpoint.tracking")


def provider_routes(guard: WebhookGuard, fetch: Fetch) -> list[Route]:
    async def ses_events(request: Request) -> Response:
        message = provider_message(json_object(await request.body()))
        if isinstance(message, SnsEnvelope):
            return await sns_control(message, fetch)
        if isinstance(message, Skipped):
            return JSONResponse({"recorded": False, "reason": message.reason})
        async with request.state.pool.connection() as conn:
            result = await record_provider_event_async(conn, message)
        if result == "not_ours":
            log.info("SES event about no message of ours: %s", message.provider_message_id)
        return JSONResponse({"recorded": result == "recorded", "result": result})

    return [Route("/ses/events", guard(ses_events), methods=["POST"])]


async def sns_control(envelope: SnsEnvelope, fetch: Fetch) -> Response:
    """Confirm a subscription (on AWS's SNS host only); acknowledge an unsubscribe."""
    if envelope.Type == "UnsubscribeConfirmation":
        return JSONResponse({"confirmed": False, "reason": "unsubscribe acknowledged"})
    url = envelope.SubscribeURL
    if not url or not is_sns_url(url):
        raise PayloadError(f"SubscribeURL {url!r} is not AWS's SNS host over HTTPS: not fetched")
    try:
        await run_in_threadpool(fetch, url)
    except (URLError, OSError, ValueError) as error:
        log.warning("could not confirm the SNS subscription to %s: %s", envelope.TopicArn, error)
        return JSONResponse({"confirmed": False, "reason": str(error)}, status_code=502)
    log.info("confirmed the SNS subscription to %s", envelope.TopicArn)
    return JSONResponse({"confirmed": True, "topic": envelope.TopicArn})
