"""The Segment-style collector: calls become raw.web_events rows through the landing rules,
bad events become rejects with their reason, and the behaviour sensor sees them."""

from __future__ import annotations

from psycopg.rows import dict_row

from assets.resources import Warehouse
from models.collector_events import COLLECTOR_SOURCE
from orchestration.behaviour_watermark import behaviour_watermark
from tests.tracking.signing import post_signed


def raw_rows(conn, table: str = "web_events") -> list[dict]:
    with conn.cursor(row_factory=dict_row) as cursor:
        return cursor.execute(f"select * from raw.{table} order by _row_number").fetchall()


def product_viewed(**overrides) -> dict:
    call = {
        "type": "track",
        "messageId": "ajs-next-1",
        "timestamp": "2026-11-24T10:15:00.123Z",
        "anonymousId": "anon-7",
        "userId": "C1",
        "event": "Product Viewed",
        "properties": {"product_id": "P-42", "url": "https://shop.example/p/42", "price": 79.9},
        "context": {"library": {"name": "analytics.js", "version": "2.11.1"}},
    }
    return {**call, **overrides}


def test_a_track_call_becomes_a_raw_web_event_the_behaviour_sensor_notices(client, conn, datamart):
    warehouse = Warehouse(url=datamart)
    before = behaviour_watermark(warehouse, None)

    answer = post_signed(client, "/v1/track", product_viewed())

    assert answer.status_code == 200
    assert answer.json() == {"success": True, "loaded": 1, "rejected": []}
    [row] = raw_rows(conn)
    assert row["event_id"] == "ajs-next-1" and row["type"] == "product_view"
    assert (row["customer_id"], row["anonymous_id"], row["product_id"]) == ("C1", "anon-7", "P-42")
    assert row["occurred_at"] == "2026-11-24T10:15:00.123Z"
    assert row["url"] == "https://shop.example/p/42"
    assert row["_source"] == COLLECTOR_SOURCE
    assert behaviour_watermark(warehouse, before) not in (None, before)


def test_segment_names_and_contract_names_both_map_to_the_contract_types(client, conn):
    calls = [
        product_viewed(messageId="m1", event="Product Added"),
        product_viewed(messageId="m2", event="Order Completed", properties={"order_id": "O1"}),
        product_viewed(messageId="m3", event="remove_from_cart"),
    ]
    for call in calls:
        post_signed(client, "/v1/track", call)
    post_signed(client, "/v1/page", {"messageId": "m4", "timestamp": "2026-11-24T10:00:00Z"})

    assert [r["type"] for r in raw_rows(conn)] == [
        "add_to_cart",
        "order_completed",
        "remove_from_cart",
        "page_view",
    ]


def test_an_event_breaking_a_landing_rule_is_a_reject_with_its_reason(client, conn):
    answer = post_signed(
        client, "/v1/track", product_viewed(event="Video Played", timestamp="2026-11-24 10:00")
    )

    [rejected] = answer.json()["rejected"]
    assert rejected["messageId"] == "ajs-next-1"
    assert "'Video Played' is not one of" in rejected["reason"]
    assert "not an ISO 8601 timestamp with a UTC offset" in rejected["reason"]
    assert raw_rows(conn) == []
    [reject] = raw_rows(conn, "web_events_rejects")
    assert reject["_reject_reason"] == rejected["reason"]
    assert '"Video Played"' in reject["_raw"] and reject["_source"] == COLLECTOR_SOURCE


def test_a_batch_loads_its_good_calls_rejects_its_bad_ones_and_skips_identify(client, conn):
    batch = {
        "batch": [
            product_viewed(messageId="b1"),
            {"type": "identify", "userId": "C1", "traits": {"email": "c1@example.com"}},
            product_viewed(messageId=None),
            {**product_viewed(messageId="b3"), "type": "page"},
        ],
        "sentAt": "2026-11-24T10:16:00Z",
    }

    answer = post_signed(client, "/v1/batch", batch).json()

    assert (answer["loaded"], answer["ignored"]) == (2, 1)
    assert [r["reason"] for r in answer["rejected"]] == ["event_id is missing"]
    assert [r["event_id"] for r in raw_rows(conn)] == ["b1", "b3"]


def test_a_call_with_an_unknown_field_or_a_wrong_type_is_refused_and_nothing_is_written(
    client, conn
):
    answers = [
        post_signed(client, "/v1/track", product_viewed(email="c1@example.com")),
        post_signed(client, "/v1/track", product_viewed(userId=42)),
        post_signed(client, "/v1/track", product_viewed(properties="not an object")),
        post_signed(client, "/v1/batch", {"batch": [product_viewed(), {"type": "track", "x": 1}]}),
    ]

    assert [a.status_code for a in answers] == [400] * 4
    assert "email: unknown field" in answers[0].json()["error"]
    assert "userId" in answers[1].json()["error"]
    assert raw_rows(conn) == [] and raw_rows(conn, "web_events_rejects") == []


def test_a_batch_rejects_each_call_holding_a_value_postgresql_would_refuse_and_loads_the_rest(
    client, conn
):
    def call(message_id: str, timestamp: str = "2026-11-24T10:15:00Z", **properties) -> dict:
        return product_viewed(
            messageId=message_id, timestamp=timestamp, properties={"product_id": "P", **properties}
        )

    batch = [
        call("ok-1"),
        call("offset", "2026-11-24T10:15:00+99:99"),
        call("year-0", "0000-11-24T10:15:00Z"),
        call("west", "2026-11-24T10:15:00-16:00"),
        call("feb-29", "2026-02-29T10:15:00Z"),
        call("revenue", revenue="1" * 131_073),
        call("ok-2", "2026-11-24T10:15:00+15:59", revenue="9" * 1000),
    ]

    answer = post_signed(client, "/v1/batch", {"batch": batch}).json()

    reasons = {r["messageId"]: r["reason"] for r in answer["rejected"]}
    assert answer["loaded"] == 2 and set(reasons) == {
        "offset",
        "year-0",
        "west",
        "feb-29",
        "revenue",
    }
    assert all("is not an ISO 8601 timestamp" in reasons[m] for m in ("offset", "year-0", "west"))
    assert reasons["revenue"].startswith("revenue '111")
    assert [r["event_id"] for r in raw_rows(conn)] == ["ok-1", "ok-2"]
