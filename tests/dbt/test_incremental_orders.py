"""The incremental store orders (dbt_project/README.md, Incremental facts): whatever order builds
come in, the order facts equal those of a full refresh at the same as-of instant — after new till
lines and a re-loaded changed one, after CRM changes that give a loyalty card to a customer, move
a card to another customer or make a till line's customer_id known (the incremental CRM staging
keeping the copy a full build keeps, a stale copy loaded later included), and at an earlier instant
after a later one, with a transaction whose lines straddle that instant.

One database, built by real dbt: a first build, new raw rows, incremental builds at a later and
then an earlier instant, each compared with a full refresh at that instant. Only the increment's
build runs the data tests.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.dbt.crafted_datamart import CraftedDatamart, facts_differing

EARLY = "2026-11-10T12:00:00+00:00"
LATE = "2026-11-23T12:00:00+00:00"
FACTS = "+fct_order_lines +fct_orders +dim_customers"

CUSTOMERS = """
insert into raw.crm_customers
    (customer_id, email, loyalty_card_id, updated_at, _source, _row_number)
values {rows};
"""
LINES = """
insert into raw.pos_transactions
    (transaction_id, line_number, store_id, customer_id, loyalty_card_id, product_id, quantity,
     unit_price, currency, purchased_at, _source, _row_number)
values {rows};
"""

FIRST_CUSTOMERS = """
('c1', 'c1@example.com', 'L1', '2026-01-01T00:00:00Z', 'crm/1', 1),
('c2', 'c2@example.com', null, '2026-01-01T00:00:00Z', 'crm/1', 2),
('c5', 'c5@example.com', null, '2026-01-01T00:00:00Z', 'crm/1', 3),
('c6', 'c6@example.com', null, '2026-01-01T00:00:00Z', 'crm/1', 4)
"""
# T1: c1's. T2: card L2, nobody's yet. T4: card L1, c1's. T5: an anonymous line on 9 Nov and
# c1's on 12 Nov, straddling EARLY. T6: customer c4, unknown to the CRM yet. T7: c5's, untouched.
FIRST_LINES = """
('T1', '1', 'S1', 'c1', null, 'p1', '1', '100', 'EUR', '2026-11-03T10:00:00Z', 'pos/1', 1),
('T2', '1', 'S1', null, 'L2', 'p2', '1', '30', 'EUR', '2026-11-05T10:00:00Z', 'pos/1', 2),
('T4', '1', 'S1', null, 'L1', 'p1', '1', '100', 'EUR', '2026-11-06T10:00:00Z', 'pos/1', 3),
('T5', '1', 'S2', null, null, 'p2', '1', '30', 'EUR', '2026-11-09T10:00:00Z', 'pos/1', 4),
('T5', '2', 'S2', 'c1', null, 'p1', '1', '100', 'EUR', '2026-11-12T10:00:00Z', 'pos/1', 5),
('T6', '1', 'S1', 'c4', null, 'p2', '2', '30', 'EUR', '2026-11-07T10:00:00Z', 'pos/1', 6),
('T7', '1', 'S1', 'c5', null, 'p2', '1', '30', 'EUR', '2026-11-04T10:00:00Z', 'pos/1', 7)
"""

# The second load: c2 gets card L2; card L1 moves from c1 to the new c3; c4 enters the CRM; a
# stale copy of c6 (updated before the one kept; no till lines) is loaded later and must not win.
# T1's line again with three items; one new transaction of c2.
LATER_CUSTOMERS = """
('c2', 'c2@example.com', 'L2', '2026-11-20T00:00:00Z', 'crm/2', 1),
('c1', 'c1@example.com', null, '2026-11-20T00:00:00Z', 'crm/2', 2),
('c3', 'c3@example.com', 'L1', '2026-11-20T00:00:00Z', 'crm/2', 3),
('c4', 'c4@example.com', null, '2026-11-20T00:00:00Z', 'crm/2', 4),
('c6', 'c6-stale@example.com', null, '2025-06-01T00:00:00Z', 'crm/2', 5)
"""
LATER_LINES = """
('T1', '1', 'S1', 'c1', null, 'p1', '3', '100', 'EUR', '2026-11-03T10:00:00Z', 'pos/2', 1),
('T3', '1', 'S2', 'c2', null, 'p2', '2', '30', 'EUR', '2026-11-21T10:00:00Z', 'pos/2', 2)
"""

FACT_QUERIES = {
    "stg_crm__customers": "select * from staging.stg_crm__customers order by customer_id",
    "fct_order_lines": "select * from marts.fct_order_lines order by order_line_key",
    "fct_orders": "select * from marts.fct_orders order by order_key",
    "dim_customers": (
        "select customer_id, orders_count, store_orders_count, revenue_total, first_order_at, "
        "last_order_at, lifecycle_stage from marts.dim_customers order by customer_id"
    ),
}


def load(datamart: CraftedDatamart, customers: str, lines: str) -> None:
    with datamart.connect() as conn:
        conn.execute(CUSTOMERS.format(rows=customers))
        conn.execute(LINES.format(rows=lines))


def row_versions(datamart: CraftedDatamart) -> dict[str, str]:
    """Each resolved line's creating transaction: the rows a build did not rewrite keep theirs."""
    return {
        row["key"]: row["xmin"]
        for row in datamart.rows(
            "select transaction_line_key as key, xmin::text as xmin "
            "from intermediate.int_pos_lines_resolved"
        )
    }


@pytest.fixture(scope="module")
def builds(pg_server, tmp_path_factory) -> dict[str, Any]:
    """Facts of each build, incremental and full, and the resolved lines' row versions around
    the increment."""
    datamart = CraftedDatamart(pg_server, "dbt_incremental_orders", tmp_path_factory.mktemp("dbt"))
    load(datamart, FIRST_CUSTOMERS, FIRST_LINES)
    datamart.build(LATE, FACTS, tests=False)
    first = datamart.facts(FACT_QUERIES)
    before = row_versions(datamart)
    load(datamart, LATER_CUSTOMERS, LATER_LINES)
    datamart.build(LATE, FACTS)
    after = row_versions(datamart)
    return {
        **datamart.incremental_and_full(FACTS, FACT_QUERIES, LATE, EARLY),
        "first": first,
        "before": before,
        "after": after,
    }


def customers(rows: list[dict[str, Any]], key: str = "order_key") -> dict[str, Any]:
    return {row[key]: row["customer_id"] for row in rows if row["channel"] == "store"}


@pytest.mark.parametrize("as_of", [LATE, EARLY], ids=["after new rows", "earlier after later"])
def test_incremental_builds_equal_a_full_refresh_at_the_same_instant(builds, as_of):
    assert facts_differing(builds["incremental"][as_of], builds["full"][as_of]) == {}


def test_crm_changes_move_the_till_lines_they_touch(builds):
    first = customers(builds["first"]["fct_orders"])
    late = customers(builds["incremental"][LATE]["fct_orders"])
    # T2: card L2 given to c2; T4: card L1 moved from c1 to c3; T6: c4 entered the CRM
    assert {key: first[key] for key in ("store-T2", "store-T4", "store-T6")} == {
        "store-T2": None,
        "store-T4": "c1",
        "store-T6": None,
    }
    assert {key: late[key] for key in ("store-T2", "store-T4", "store-T6")} == {
        "store-T2": "c2",
        "store-T4": "c3",
        "store-T6": "c4",
    }
    lines = customers(builds["incremental"][LATE]["fct_order_lines"], "order_line_key")
    assert (lines["store-T2-1"], lines["store-T4-1"]) == ("c2", "c3")


def test_the_incremental_crm_staging_keeps_the_latest_updated_copy_whenever_loaded(builds):
    emails = {
        row["customer_id"]: row["email"]
        for row in builds["incremental"][LATE]["stg_crm__customers"]
    }
    # c6's stale copy came in the second load; c2's newer one did too.
    assert (emails["c6"], emails["c2"]) == ("c6@example.com", "c2@example.com")
    loyalty = {
        row["customer_id"]: row["loyalty_card_id"]
        for row in builds["incremental"][LATE]["stg_crm__customers"]
    }
    assert (loyalty["c1"], loyalty["c2"], loyalty["c3"]) == (None, "L2", "L1")


def test_a_reloaded_line_replaces_the_till_line_and_its_order(builds):
    late = builds["incremental"][LATE]
    line = {row["order_line_key"]: row for row in late["fct_order_lines"]}["store-T1-1"]
    order = {row["order_key"]: row for row in late["fct_orders"]}["store-T1"]
    assert (line["quantity"], line["line_revenue"]) == (3, 300)
    assert (order["revenue"], order["items_count"]) == (300, 3)


def test_a_transaction_straddling_the_instant_has_the_customer_of_its_lines_so_far(builds):
    early = {row["order_key"]: row for row in builds["incremental"][EARLY]["fct_orders"]}
    late = {row["order_key"]: row for row in builds["incremental"][LATE]["fct_orders"]}
    # T5: an anonymous line on 9 Nov, then c1's on 12 Nov
    assert (early["store-T5"]["customer_id"], early["store-T5"]["lines_count"]) == (None, 1)
    assert (late["store-T5"]["customer_id"], late["store-T5"]["lines_count"]) == ("c1", 2)


def test_an_increment_rewrites_only_the_transactions_it_touches(builds):
    before, after = builds["before"], builds["after"]
    rewritten = sorted(key for key in before if before[key] != after[key])
    # T1 re-loaded; T2, T4, T5 and T6 touched by changed customers (c1…c4); T7 (c5's) kept
    assert rewritten == ["T1-1", "T2-1", "T4-1", "T5-1", "T5-2", "T6-1"]
    assert sorted(set(after) - set(before)) == ["T3-1"]
