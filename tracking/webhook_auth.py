"""Who may write through the inbound webhooks: nobody without a signature.

Every route that records a response, changes consent or loads behaviour (inbound SMS, SES
events, the collector) is wrapped by ``WebhookGuard``, which reads the raw body and lets the
request through only when it is signed one of two ways:

- ``X-Touchpoint-Signature`` (``models.webhook_signature``): any body, signed by whoever holds
  ``TOUCHPOINT_SECRET`` — a gateway, a relay, a server-side tracker. When the header is there,
  it alone decides: a wrong one is refused even if the body is a well-signed SNS message.
- without it, an SNS message whose AWS signature checks out, about one of our topics
  (``tracking.sns_verification``): what SNS delivers over HTTP(S) by itself.

Anything else is 401 (no signature at all) or 403 (a signature that does not hold), with the
reason, and the route never runs: nothing is parsed further, written or queued. The body size
limit still applies first (413).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

import orjson
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from models.webhook_signature import HEADER, body_signature_matches
from tracking.sns_verification import SnsRefused, SnsVerifier

log = logging.getLogger("touchpoint.tracking")

Endpoint = Callable[[Request], Awaitable[Response]]

UNSIGNED = (
    f"unsigned: send {HEADER}: sha256=<hex HMAC-SHA256 of the body under TOUCHPOINT_SECRET>, "
    "or deliver it through one of our SNS topics"
)


class WebhookGuard:
    def __init__(self, secret: str, sns: SnsVerifier) -> None:
        self._secret = secret
        self._sns = sns

    def __call__(self, endpoint: Endpoint) -> Endpoint:
        async def guarded(request: Request) -> Response:
            body = await request.body()  # kept by the request: the endpoint reads it again
            refusal = await self._refusal(request, body)
            if refusal is not None:
                return refusal
            return await endpoint(request)

        return guarded

    async def _refusal(self, request: Request, body: bytes) -> Response | None:
        signatures = request.headers.getlist(HEADER)
        if signatures:
            if len(signatures) == 1 and body_signature_matches(self._secret, body, signatures[0]):
                return None
            return _refused(request, 403, f"{HEADER} does not match the body")
        message = _sns_message(body)
        if message is None:
            return _refused(request, 401, UNSIGNED)
        try:
            await run_in_threadpool(self._sns.check, message)
        except SnsRefused as refused:
            return _refused(request, refused.status, str(refused))
        return None


def _sns_message(body: bytes) -> dict | None:
    """The body as an SNS message (a JSON object with ``Type``), else None."""
    try:
        document = orjson.loads(body)
    except orjson.JSONDecodeError:
        return None
    return document if isinstance(document, dict) and "Type" in document else None


def _refused(request: Request, status: int, reason: str) -> Response:
    log.warning("%s %s refused (%d): %s", request.method, request.url.path, status, reason)
    return JSONResponse({"error": reason}, status_code=status)
