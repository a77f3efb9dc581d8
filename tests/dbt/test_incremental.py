"""The incremental facts (dbt_project/README.md, Incremental facts): whatever order builds come
in, the facts equal those of a full refresh at the same as-of instant — after new rows arrive,
at an earlier instant after a later one, with a re-loaded copy that changes an event or a till
line, and with a device identified only later, whose earlier browsing changes hands.

One database, built by real dbt: a first build, new raw rows, incremental builds at a later and
then an earlier instant, each compared with a full refresh at that instant. Only the increment's
build runs the data tests (the models' own tests on the incremental tables); the others build
the models alone, to keep the module short.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.dbt.crafted_datamart import CraftedDatamart, facts_differing

EARLY = "2026-11-10T12:00:00+00:00"
LATE = "2026-11-23T12:00:00+00:00"
FACTS = "+fct_web_events +fct_order_lines +fct_orders"

CUSTOMERS = """
insert into raw.crm_customers (customer_id, email, updated_at, _source, _row_number) values
('c1', 'c1@example.com', '2026-01-01T00:00:00Z', 'crm/customers/a.csv', 1),
('c2', 'c2@example.com', '2026-01-01T00:00:00Z', 'crm/customers/a.csv', 2);
insert into raw.catalog_products (product_id, name, price, currency, _source, _row_number) values
('p1', 'Helmet', '100', 'EUR', 'catalog/products/a.csv', 1),
('p2', 'Gloves', '30', 'EUR', 'catalog/products/a.csv', 2);
"""

EVENTS = """
insert into raw.web_events
    (event_id, occurred_at, anonymous_id, customer_id, type, product_id, order_id, revenue,
     currency, _source, _row_number)
values {rows};
"""

LINES = """
insert into raw.pos_transactions
    (transaction_id, line_number, store_id, customer_id, product_id, quantity, unit_price,
     currency, purchased_at, _source, _row_number)
values {rows};
"""

# d1: browsed anonymously, ordered; identified by c2 only in the second load. d2: c1's device.
# d3: browsed, identified by c1 on 12 Nov (after EARLY, before LATE). d4: never touched again.
FIRST_EVENTS = """
('v1', '2026-11-05T10:00:00Z', 'd1', null, 'product_view', 'p1', null, null, null, 'web/1', 1),
('v2', '2026-11-15T10:00:00Z', 'd1', null, 'product_view', 'p1', null, null, null, 'web/1', 2),
('o1', '2026-11-16T10:00:00Z', 'd1', null, 'order_completed', 'p1', 'O1', '100', 'EUR', 'web/1', 3),
('w1', '2026-11-01T10:00:00Z', 'd2', 'c1', 'login', null, null, null, null, 'web/1', 4),
('w2', '2026-11-02T10:00:00Z', 'd2', null, 'page_view', null, null, null, null, 'web/1', 5),
('r1', '2026-11-08T10:00:00Z', null, 'c2', 'add_to_cart', 'p1', null, null, null, 'web/1', 6),
('u1', '2026-11-05T10:00:00Z', 'd3', null, 'product_view', 'p2', null, null, null, 'web/1', 7),
('z1', '2026-11-03T10:00:00Z', 'd4', 'c1', 'page_view', null, null, null, null, 'web/1', 8)
"""
FIRST_LINES = """
('T1', '1', 'S1', 'c1', 'p1', '1', '100', 'EUR', '2026-11-03T10:00:00Z', 'pos/1', 1),
('T2', '1', 'S1', 'c2', 'p2', '1', '30', 'EUR', '2026-11-20T10:00:00Z', 'pos/1', 2)
"""

# The second load: c2 logs in on d1 (a login that happened on 9 Nov, loaded late), c1 on d3;
# r1 comes again changed (a remove, not an add), w2 again from device d1, T1's line again with
# three items; one new till line.
LATER_EVENTS = """
('x1', '2026-11-09T10:00:00Z', 'd1', 'c2', 'login', null, null, null, null, 'web/2', 1),
('u2', '2026-11-12T10:00:00Z', 'd3', 'c1', 'login', null, null, null, null, 'web/2', 2),
('r1', '2026-11-08T10:00:00Z', null, 'c2', 'remove_from_cart', 'p1', null, null, null, 'web/2', 3),
('w2', '2026-11-02T10:00:00Z', 'd1', null, 'page_view', null, null, null, null, 'web/2', 4)
"""
LATER_LINES = """
('T1', '1', 'S1', 'c1', 'p1', '3', '100', 'EUR', '2026-11-03T10:00:00Z', 'pos/2', 1),
('T3', '1', 'S2', 'c1', 'p2', '2', '30', 'EUR', '2026-11-21T10:00:00Z', 'pos/2', 2)
"""

FACT_QUERIES = {
    "fct_web_events": "select * from marts.fct_web_events order by event_id",
    "fct_order_lines": "select * from marts.fct_order_lines order by order_line_key",
    "fct_orders": "select * from marts.fct_orders order by order_key",
}


def load(datamart: CraftedDatamart, events: str, lines: str) -> None:
    with datamart.connect() as conn:
        conn.execute(EVENTS.format(rows=events))
        conn.execute(LINES.format(rows=lines))


def row_versions(datamart: CraftedDatamart, table: str, key: str) -> dict[str, str]:
    """Each row's creating transaction: the rows a build did not rewrite keep theirs."""
    return {
        row["key"]: row["xmin"]
        for row in datamart.rows(f"select {key} as key, xmin::text as xmin from {table}")
    }


@pytest.fixture(scope="module")
def builds(pg_server, tmp_path_factory) -> dict[str, Any]:
    """Facts of each build, incremental and full, and the row versions around the increment."""
    datamart = CraftedDatamart(pg_server, "dbt_incremental_test", tmp_path_factory.mktemp("dbt"))
    with datamart.connect() as conn:
        conn.execute(CUSTOMERS)
    load(datamart, FIRST_EVENTS, FIRST_LINES)
    datamart.build(LATE, FACTS, tests=False)
    before = {
        "staged": row_versions(datamart, "staging.stg_web__events", "event_id"),
        "sliced": row_versions(datamart, "intermediate.int_web_events_sliced", "event_id"),
    }
    load(datamart, LATER_EVENTS, LATER_LINES)
    datamart.build(LATE, FACTS)
    after = {
        "staged": row_versions(datamart, "staging.stg_web__events", "event_id"),
        "sliced": row_versions(datamart, "intermediate.int_web_events_sliced", "event_id"),
    }
    return {
        **datamart.incremental_and_full(FACTS, FACT_QUERIES, LATE, EARLY),
        "before": before,
        "after": after,
    }


def by_key(rows: list[dict[str, Any]], key: str) -> dict[str, dict[str, Any]]:
    return {row[key]: row for row in rows}


@pytest.mark.parametrize("as_of", [LATE, EARLY], ids=["after new rows", "earlier after later"])
def test_incremental_builds_equal_a_full_refresh_at_the_same_instant(builds, as_of):
    assert facts_differing(builds["incremental"][as_of], builds["full"][as_of]) == {}


def test_a_reloaded_copy_replaces_the_event_and_the_till_line(builds):
    late = builds["incremental"][LATE]
    events = by_key(late["fct_web_events"], "event_id")
    lines = by_key(late["fct_order_lines"], "order_line_key")
    assert [row["event_id"] for row in late["fct_web_events"]].count("r1") == 1
    assert events["r1"]["type"] == "remove_from_cart"
    assert (lines["store-T1-1"]["quantity"], lines["store-T1-1"]["line_revenue"]) == (3, 300)


def test_a_device_identified_later_has_its_earlier_events_re_attributed(builds):
    late = by_key(builds["incremental"][LATE]["fct_web_events"], "event_id")
    early = by_key(builds["incremental"][EARLY]["fct_web_events"], "event_id")
    orders = by_key(builds["incremental"][LATE]["fct_orders"], "order_key")
    # d1's browsing and order are c2's once the late-loaded login is in, w2 too (moved to d1)
    assert {key: late[key]["customer_id"] for key in ("v1", "v2", "w2")} == dict.fromkeys(
        ("v1", "v2", "w2"), "c2"
    )
    assert orders["web-O1"]["customer_id"] == "c2"
    # d3 is c1's from the login on 12 Nov: not yet at the earlier instant
    assert (late["u1"]["customer_id"], early["u1"]["customer_id"]) == ("c1", None)
    assert "v2" not in early and early["v1"]["customer_id"] == "c2"


def test_an_increment_rewrites_only_the_changed_events_and_their_devices(builds):
    before, after = builds["before"], builds["after"]
    rewritten = {
        table: sorted(key for key in before[table] if before[table][key] != after[table][key])
        for table in ("staged", "sliced")
    }
    # staging: the re-loaded copies; the sliced facts: every event of d1, d2 and d3, and r1
    assert rewritten == {
        "staged": ["r1", "w2"],
        "sliced": ["o1", "r1", "u1", "v1", "v2", "w1", "w2"],
    }
