"""The signed links in our mail: open pixel, click redirect, one-click unsubscribe, survey
answers.

Each link is checked against its HMAC signature (``models.tracking``) before anything else: a
forged or altered link gets 403 and touches nothing. Then:

- ``GET /o/{id}.gif`` records ``opened`` and returns a 1×1 GIF that no cache keeps;
- ``GET /c/{id}?url=`` records ``clicked`` (``detail.url``) and redirects (302) to exactly the
  signed URL — only ``http(s)``, never anywhere else;
- ``GET /u/{id}`` shows a page with a button; ``POST /u/{id}`` (RFC 8058's
  ``List-Unsubscribe=One-Click`` from a mailbox provider, or that button) records
  ``unsubscribed`` for the message's customer on ``email`` and confirms. The signed link is
  the authority, so the POST body is not interpreted (RFC 8058 allows urlencoded and
  multipart). A second POST adds no row while the customer is still unsubscribed;
- ``GET /s/{id}?score=`` records ``survey_answered`` ``{"score": n}`` on that message (its
  channel, ``email``) and shows a thank-you page in the message's language
  (``models.survey_thanks``). The latest answer counts (fct_survey_answers), as NPS tools
  let a reader correct a tap: a different score is a new row, the same score as the latest
  adds none (a reload, a second tap), decided under a lock on the message.

Opens and clicks cost one INSERT, which takes the customer from the outbox row. A correctly
signed link to a message no longer in the outbox (a datamart reset since) still gets its pixel
or redirect — the signature proves we made it — but no event, since nobody could be named;
its unsubscribe and survey pages say the message is unknown (404). HEAD requests (link
checkers) get the same answer and record nothing.
"""

from __future__ import annotations

from html import escape
from urllib.parse import quote, urlsplit
from uuid import UUID

from psycopg.types.json import Jsonb
from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, Response
from starlette.routing import Route

from models.survey_thanks import thank_you
from models.tracking import verify_click, verify_open, verify_survey, verify_unsubscribe

PIXEL = (
    b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04\x01\x00\x00\x00\x00"
    b",\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;"
)
NO_CACHE = {
    "cache-control": "no-store, no-cache, must-revalidate, max-age=0",
    "pragma": "no-cache",
    "expires": "0",
}
# The page URL holds the signature: keep it out of referrers and search engines.
PAGE_HEADERS = {**NO_CACHE, "referrer-policy": "no-referrer", "x-robots-tag": "noindex"}

_RECORD_OPEN = """
insert into messaging.message_events (message_id, customer_id, channel, type, occurred_at)
select message_id, customer_id, channel, 'opened', now()
from messaging.outbox where message_id = %s
"""
_RECORD_CLICK = """
insert into messaging.message_events (message_id, customer_id, channel, type, occurred_at, detail)
select message_id, customer_id, channel, 'clicked', now(), %s
from messaging.outbox where message_id = %s
"""
# Skipped while the customer's latest email consent event is already this unsubscribe.
_RECORD_UNSUBSCRIBE = """
with message as (
    select message_id, customer_id from messaging.outbox where message_id = %(message_id)s
),
latest as (
    select e.type
    from messaging.message_events as e
    inner join message on e.customer_id = message.customer_id
    where e.channel = 'email'
        and (e.type in ('unsubscribed', 'complained', 'opted_out', 'opted_in')
            or (e.type = 'bounced' and e.detail ->> 'bounce_type' in ('hard', 'permanent')))
    order by e.occurred_at desc, e.event_id desc
    limit 1
),
inserted as (
    insert into messaging.message_events
        (message_id, customer_id, channel, type, occurred_at, detail)
    select message_id, customer_id, 'email', 'unsubscribed', now(), %(detail)s
    from message
    where not exists (select 1 from latest where type = 'unsubscribed')
    returning event_id
)
select (select count(*) from message), (select count(*) from inserted)
"""


_LOCK_MESSAGE = "select pg_advisory_xact_lock(hashtext('touchpoint.survey:' || %s))"
# Skipped while the message's latest answer is already this score.
_RECORD_ANSWER = """
with message as (
    select message_id, customer_id, channel, locale
    from messaging.outbox where message_id = %(message_id)s
),
latest as (
    select e.detail ->> 'score' as score
    from messaging.message_events as e
    where e.message_id = %(message_id)s and e.type = 'survey_answered'
    order by e.occurred_at desc, e.event_id desc
    limit 1
),
inserted as (
    insert into messaging.message_events
        (message_id, customer_id, channel, type, occurred_at, detail)
    select message_id, customer_id, channel, 'survey_answered', now(), %(detail)s
    from message
    where not exists (select 1 from latest where score = %(score)s)
    returning event_id
)
select (select count(*) from message), (select locale from message)
"""


def link_routes(secret: str) -> list[Route]:
    async def open_pixel(request: Request) -> Response:
        message_id = request.path_params["message_id"]
        signature = _one(request, "sig")
        if signature is None or not verify_open(secret, message_id, signature):
            return _forbidden()
        if request.method == "GET":
            async with request.state.pool.connection() as conn:
                await conn.execute(_RECORD_OPEN, (UUID(message_id),))
        return Response(PIXEL, media_type="image/gif", headers=NO_CACHE)

    async def click(request: Request) -> Response:
        message_id = request.path_params["message_id"]
        signature, target = _one(request, "sig"), _one(request, "url")
        if signature is None or target is None:
            return _forbidden()
        if not verify_click(secret, message_id, target, signature):
            return _forbidden()
        if urlsplit(target).scheme.lower() not in ("http", "https"):
            return _forbidden()
        if request.method == "GET":
            async with request.state.pool.connection() as conn:
                await conn.execute(_RECORD_CLICK, (Jsonb({"url": target}), UUID(message_id)))
        return Response(status_code=302, headers={"location": _location(target), **NO_CACHE})

    async def unsubscribe(request: Request) -> Response:
        message_id = request.path_params["message_id"]
        signature = _one(request, "sig")
        if signature is None or not verify_unsubscribe(secret, message_id, signature):
            return _page("This link is not valid", _NOT_VALID, 403)
        if request.method != "POST":
            return _page("Unsubscribe", _CONFIRM, 200)
        # Size-checked, otherwise only told apart: our page's button, or a one-click POST.
        body = await request.body()
        detail = {"via": "page" if b"via=page" in body else "one-click"}
        async with request.state.pool.connection() as conn:
            cursor = await conn.execute(
                _RECORD_UNSUBSCRIBE, {"message_id": UUID(message_id), "detail": Jsonb(detail)}
            )
            found, _ = await cursor.fetchone()
        if not found:
            return _page("Message not found", _UNKNOWN, 404)
        return _page("You are unsubscribed", _DONE, 200)

    async def survey_answer(request: Request) -> Response:
        message_id = request.path_params["message_id"]
        signature, score = _one(request, "sig"), _one(request, "score")
        if signature is None or score is None:
            return _page("This link is not valid", _NOT_VALID_ANSWER, 403)
        if not verify_survey(secret, message_id, score, signature):
            return _page("This link is not valid", _NOT_VALID_ANSWER, 403)
        locale = None
        if request.method == "GET":
            found, locale = await _record_answer(request, UUID(message_id), score)
            if not found:
                return _page("Message not found", _UNKNOWN_ANSWER, 404)
        thanks = thank_you(locale, int(score))
        return _page(thanks.title, f"<p>{escape(thanks.text)}</p>", 200, thanks.language)

    return [
        Route("/o/{message_id}.gif", open_pixel, methods=["GET"]),
        Route("/c/{message_id}", click, methods=["GET"]),
        Route("/u/{message_id}", unsubscribe, methods=["GET", "POST"]),
        Route("/s/{message_id}", survey_answer, methods=["GET"]),
    ]


async def _record_answer(request: Request, message_id: UUID, score: str) -> tuple[bool, str | None]:
    """Record the answer unless it is already the message's latest; (whether the message is
    known, its locale)."""
    params = {"message_id": message_id, "score": score, "detail": Jsonb({"score": int(score)})}
    async with request.state.pool.connection() as conn, conn.transaction():
        await conn.execute(_LOCK_MESSAGE, (str(message_id),))
        cursor = await conn.execute(_RECORD_ANSWER, params)
        found, locale = await cursor.fetchone()
    return bool(found), locale


def _one(request: Request, name: str) -> str | None:
    """The one value of a query parameter; a repeated one makes the link ambiguous."""
    values = request.query_params.getlist(name)
    return values[0] if len(values) == 1 else None


def _location(url: str) -> str:
    """The signed URL as a header can carry it: characters no URL may hold as they are
    (non-ASCII, space, CR/LF) percent-encoded, everything else untouched."""
    return quote(url, safe="!#$%&'()*+,/:;=?@[]~")


def _forbidden() -> Response:
    return PlainTextResponse("this link is not valid", status_code=403, headers=NO_CACHE)


_CONFIRM = (
    "<p>Do you want to stop receiving our marketing emails?</p>"
    '<form method="post"><input type="hidden" name="List-Unsubscribe" value="One-Click">'
    '<input type="hidden" name="via" value="page">'
    '<button type="submit">Unsubscribe</button></form>'
)
_DONE = "<p>You will not receive our marketing emails any more.</p>"
_NOT_VALID = "<p>This unsubscribe link is not valid. Please use the link in the email.</p>"
_UNKNOWN = (
    "<p>We could not find the message this link belongs to, so nothing was changed. "
    "Please reply to the email to unsubscribe.</p>"
)
_NOT_VALID_ANSWER = "<p>This link is not valid, so your answer was not recorded.</p>"
_UNKNOWN_ANSWER = (
    "<p>We could not find the survey this link belongs to, so your answer was not recorded.</p>"
)


def _page(title: str, body: str, status: int, language: str = "en") -> HTMLResponse:
    html = (
        f'<!doctype html><html lang="{escape(language)}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)}</title></head>"
        f"<body><h1>{escape(title)}</h1>{body}</body></html>"
    )
    return HTMLResponse(html, status_code=status, headers=PAGE_HEADERS)
