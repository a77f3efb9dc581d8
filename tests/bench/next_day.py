"""The datamart's next build after a day of new behaviour: the incremental models take only the
new rows (and the devices they touch), where a full build takes everything again.

A day of new rows is the last day before the as-of instant landed again one day later, under new
event ids, transaction ids and order ids, on the same devices and customers, as the next day's
files would bring them."""

from __future__ import annotations

from datetime import datetime, timedelta

import psycopg

NEXT_DAY_WEB_EVENTS = """
insert into raw.web_events
    (event_id, occurred_at, anonymous_id, customer_id, type, product_id, order_id, revenue,
     currency, url, properties, _source, _row_number)
select
    event_id || ':next-day', (occurred_at::timestamptz + interval '1 day')::text, anonymous_id,
    customer_id, type, product_id, order_id || ':next-day', revenue, currency, url, properties,
    'bench/next-day', _row_number
from raw.web_events
where occurred_at::timestamptz > %(as_of)s - interval '1 day'
    and occurred_at::timestamptz <= %(as_of)s
"""

NEXT_DAY_TILL_LINES = """
insert into raw.pos_transactions
    (transaction_id, line_number, store_id, customer_id, loyalty_card_id, product_id, quantity,
     unit_price, currency, purchased_at, voucher_code, _source, _row_number)
select
    transaction_id || ':next-day', line_number, store_id, customer_id, loyalty_card_id,
    product_id, quantity, unit_price, currency,
    (purchased_at::timestamptz + interval '1 day')::text, voucher_code, 'bench/next-day',
    _row_number
from raw.pos_transactions
where purchased_at::timestamptz > %(as_of)s - interval '1 day'
    and purchased_at::timestamptz <= %(as_of)s
"""


def land_next_day(url: str, as_of: datetime) -> tuple[int, int, datetime]:
    """Land a day of new web events and till lines; their counts and the next day's instant."""
    with psycopg.connect(url, autocommit=True) as conn:
        events = conn.execute(NEXT_DAY_WEB_EVENTS, {"as_of": as_of}).rowcount
        lines = conn.execute(NEXT_DAY_TILL_LINES, {"as_of": as_of}).rowcount
    return events, lines, as_of + timedelta(days=1)
