"""The tracking service (``touchpoint serve``): every reaction back into the datamart.

An ASGI app (Starlette, served by uvicorn) that records and does nothing else
(docs/architecture.md, Responses):

- ``GET /o/{id}.gif``, ``GET /c/{id}``, ``GET``/``POST /u/{id}``, ``GET /s/{id}``: opens,
  clicks, unsubscribes, survey answers (``link_routes``);
- ``POST /sms/inbound``: STOP / START / HELP, survey scores, replies (``inbound_sms``);
- ``POST /ses/events``: SES events delivered by SNS (``provider_webhook``);
- ``POST /v1/track``, ``/v1/page``, ``/v1/batch``: web events into ``raw.web_events``
  (``event_collector``);
- ``GET /health``: nothing; 200 when the database answers.

Every POST route is signed or refused (``webhook_auth``): ``X-Touchpoint-Signature`` (HMAC of
the body under ``TOUCHPOINT_SECRET``), or an SNS message signed by AWS for one of the topics in
``TOUCHPOINT_SNS_TOPIC_ARNS``; 401/403 and nothing written otherwise. The link routes carry
their own signatures.

Links are built on ``TOUCHPOINT_TRACKING_URL``; the service answers by path and query,
whatever host or port it runs on. Bad input never gets a 500: a body over 64 KiB (500 KiB for
a batch) is 413, a body that is not what the route takes is 400 with the reason, and nothing is
written; a database that does not answer is 503.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import logging
import os
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime

import psycopg
from psycopg_pool import AsyncConnectionPool
from starlette.applications import Starlette
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from models.inbound_sms import inbound_sms
from models.payloads import PayloadError, json_object
from models.sns_envelope import sns_envelope
from tracking.event_collector import collector_routes
from tracking.inbound_sms import handle_inbound_sms
from tracking.link_routes import link_routes
from tracking.provider_webhook import provider_routes, sns_control
from tracking.sns_verification import Fetch, SnsVerifier, get_from_aws
from tracking.webhook_auth import WebhookGuard
from warehouse.messaging_schema import migrate_messaging
from warehouse.raw_schema import ensure_raw_schema

log = logging.getLogger("touchpoint.tracking")

MAX_BODY = 64 * 1024


@dataclass(frozen=True)
class ServiceConfig:
    """Everything the service needs, as values: ``touchpoint serve`` reads them from the settings
    (the datamart URL, ``TOUCHPOINT_SECRET``, ``TOUCHPOINT_FROM_EMAIL``, the SNS topics)."""

    database_url: str
    secret: str
    from_email: str
    # The SNS topics whose messages are ours (TOUCHPOINT_SNS_TOPIC_ARNS); none: no SNS.
    sns_topics: frozenset[str] = frozenset()
    pool_size: int = 5
    # Seconds to wait for a database connection before answering 503.
    database_timeout: float = 5.0
    # How signing certificates and subscription confirmations are fetched from AWS.
    fetch_from_aws: Fetch = get_from_aws


def build_app(config: ServiceConfig) -> Starlette:
    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[dict]:
        with psycopg.connect(config.database_url, autocommit=True) as conn:
            ensure_raw_schema(conn)
        migrate_messaging(config.database_url)
        async with _connection_pool(config) as pool:
            yield {"pool": pool}

    guard = WebhookGuard(config.secret, SnsVerifier(config.sns_topics, config.fetch_from_aws))

    async def sms_inbound(request: Request) -> Response:
        document = json_object(await request.body())
        envelope = sns_envelope(document)
        if envelope is not None and envelope.Type != "Notification":
            return await sns_control(envelope, config.fetch_from_aws)
        sms = inbound_sms(document)
        async with request.state.pool.connection() as conn:
            summary = await handle_inbound_sms(conn, sms, config.from_email, datetime.now(UTC))
        return JSONResponse(summary)

    async def health(request: Request) -> Response:
        async with request.state.pool.connection() as conn:
            await conn.execute("select 1")
        return PlainTextResponse("ok")

    routes = [
        *link_routes(config.secret),
        Route("/sms/inbound", guard(sms_inbound), methods=["POST"]),
        *provider_routes(guard, config.fetch_from_aws),
        *collector_routes(guard),
        Route("/health", health, methods=["GET"]),
    ]
    return Starlette(
        routes=routes,
        lifespan=lifespan,
        max_body_size=MAX_BODY,
        exception_handlers={
            PayloadError: _bad_request,
            psycopg.OperationalError: _database_unavailable,
            ClientDisconnect: _client_gone,
        },
    )


def _connection_pool(config: ServiceConfig) -> AsyncConnectionPool:
    """Autocommit connections, opened as requests need them, at most ``pool_size``: an open or a
    click costs one INSERT and no connection setup. Each is checked as it is handed out, so a
    restarted database heals without a failed request; when none can be had within
    ``database_timeout`` the request fails with PoolTimeout, an OperationalError, hence 503."""
    return AsyncConnectionPool(
        config.database_url,
        min_size=1,
        max_size=config.pool_size,
        kwargs={"autocommit": True, "connect_timeout": max(1, round(config.database_timeout))},
        timeout=config.database_timeout,
        check=AsyncConnectionPool.check_connection,
        open=False,
    )


async def _bad_request(request: Request, error: Exception) -> Response:
    log.info("%s %s refused: %s", request.method, request.url.path, error)
    return JSONResponse({"error": str(error)}, status_code=400)


async def _database_unavailable(request: Request, error: Exception) -> Response:
    log.error("%s %s: the database did not answer: %s", request.method, request.url.path, error)
    return JSONResponse({"error": "the database is unavailable; try again"}, status_code=503)


async def _client_gone(request: Request, error: Exception) -> Response:
    return Response(status_code=400)


# How `serve --workers N` hands the configuration down to uvicorn's worker processes, which
# build the app from an import string; the environment of a process is readable only by its user.
CONFIG_VARIABLE = "TOUCHPOINT_SERVICE_CONFIG"


def serve(config: ServiceConfig, host: str, port: int, workers: int = 1) -> None:
    """Run the service until interrupted, in `workers` processes sharing the port (uvicorn's
    own process manager: each worker has its pool of `pool_size` connections)."""
    import uvicorn

    # No access log: the query strings carry link signatures.
    if workers == 1:
        uvicorn.run(build_app(config), host=host, port=port, access_log=False)
        return
    os.environ[CONFIG_VARIABLE] = json.dumps(
        {**dataclasses.asdict(config), "sns_topics": sorted(config.sns_topics)}
        | {"fetch_from_aws": None}
    )
    uvicorn.run(
        f"{__name__}:app_from_environment",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        access_log=False,
    )


def app_from_environment() -> Starlette:
    """The app of one worker of `serve --workers N`, from the configuration its parent set."""
    values = json.loads(os.environ[CONFIG_VARIABLE])
    values.pop("fetch_from_aws")
    return build_app(ServiceConfig(**values | {"sns_topics": frozenset(values["sns_topics"])}))
