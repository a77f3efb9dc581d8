"""Garbage at every route: 400, 403, 404, 405 or 413 with a reason — never a 500, never a row.
The POST routes are fed garbage correctly signed: what is checked is what lies behind the
signature check."""

from __future__ import annotations

import uuid

import orjson
import pytest

from models.tracking import TrackingLinks
from tests.tracking.service_rows import (
    SECRET,
    TRACKING_URL,
    add_sent,
    sns_notification,
)
from tests.tracking.signing import hmac_header, post_signed

POST_ROUTES = ["/sms/inbound", "/ses/events", "/v1/track", "/v1/page", "/v1/batch"]

GARBAGE_BODIES = [
    b"",
    b"not json",
    b"{",
    b"[]",
    b"null",
    b'"a string"',
    b"42",
    b"\xff\xfe\x00garbage",
    b'{"unknown": "field"}',
    b'{"from": 1, "to": [], "text": {}, "id": null}',
    b'{"from": "+33612345678", "to": "+33700000000", "text": "STOP", "id": "x", "x": 1}',
    b'{"from": "not a phone", "to": "+33700000000", "text": "STOP", "id": "x"}',
    b'{"from": "+33612345678", "to": "+33700000000", "text": "a\\u0000b", "id": "x"}',
    b'{"Type": "Notification", "MessageId": 5}',
    orjson.dumps(sns_notification({"eventType": "Bounce"})),
    orjson.dumps(sns_notification({"eventType": "Bounce", "mail": {"messageId": 1}})),
    orjson.dumps(sns_notification({"eventType": "Open", "mail": {"messageId": "x"}, "z": 1})),
    orjson.dumps({**sns_notification({}), "Message": "not json"}),
    orjson.dumps({"batch": "nope"}),
    orjson.dumps({"batch": [1, 2]}),
    b"[" * 5000 + b"]" * 5000,
    orjson.dumps({"messageId": "m", "properties": {"a": [[[[[[[[[[1]]]]]]]]]]}, "userId": 7}),
]


@pytest.mark.parametrize("route", POST_ROUTES)
def test_garbage_bodies_are_refused_with_a_reason_and_record_nothing(client, conn, route):
    statuses = {}
    for body in GARBAGE_BODIES:
        answer = post_signed(client, route, body, **{"content-type": "application/json"})
        statuses[body[:40]] = answer.status_code
        if answer.status_code == 400:
            assert answer.json()["error"]

    assert set(statuses.values()) <= {400}, statuses
    assert_nothing_recorded(conn)


@pytest.mark.parametrize("route", POST_ROUTES)
def test_a_body_over_the_limit_is_413(client, conn, route):
    huge = b'{"text": "' + b"x" * (600 * 1024) + b'"}'

    signature = hmac_header(huge)
    answer = client.post(route, content=huge, headers=signature)
    streamed = client.post(route, content=iter([huge[:1000], huge[1000:]]), headers=signature)

    assert (answer.status_code, streamed.status_code) == (413, 413)
    assert_nothing_recorded(conn)


def test_garbage_in_links_is_403_or_404_and_never_a_500(client, conn):
    message_id = add_sent(conn, "C1")
    signature = TrackingLinks(TRACKING_URL, SECRET).open_pixel(message_id).split("sig=")[1]
    paths = [
        "/o/not-a-uuid.gif?sig=x",
        f"/o/{message_id}.gif?sig=%FF%FE",
        f"/o/{message_id}.gif?sig={'é' * 43}",
        f"/o/{message_id}.gif?sig={signature}%00",
        f"/o/{message_id}.png?sig={signature}",
        f"/o/{message_id}?sig={signature}",
        f"/c/{message_id}?url=%00%0D%0ALocation:%20https://evil.example&sig={signature}",
        f"/c/{message_id}?url=javascript:alert(1)&sig={signature}",
        f"/c/{uuid.uuid4()}/../../etc/passwd",
        f"/u/{message_id}?sig={'x' * 5000}",
        "/u/%00",
        "/nowhere",
    ]

    statuses = [client.get(path).status_code for path in paths]
    posted = client.post(f"/o/{message_id}.gif?sig={signature}").status_code

    assert set(statuses) <= {403, 404}, dict(zip(paths, statuses, strict=True))
    assert posted == 405
    assert_nothing_recorded(conn)


def assert_nothing_recorded(conn) -> None:
    counts = conn.execute(
        "select (select count(*) from messaging.message_events), "
        "(select count(*) from messaging.outbox where campaign = 'sms_keyword_reply'), "
        "(select count(*) from raw.web_events), (select count(*) from raw.web_events_rejects)"
    ).fetchone()
    assert counts == (0, 0, 0, 0)
