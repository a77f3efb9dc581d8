"""Recording provider events (SES delivery, bounce, open, …) in ``messaging.message_events``.

One statement per event, shared by the SQS drain (here, synchronous) and the tracking
service's webhook (``orchestration/provider_webhook.py``, asynchronous): the event is matched
to its outbox row (our id from the message tag, else the provider's message id), takes that
row's customer and channel, and is inserted unless its ``source_event_id`` is already there.

An event about no message in our outbox (another system's mail on the same configuration set,
a datamart reset since) is not recorded: it could not be attributed to anyone, and refusing it
keeps a forged notification from suppressing a customer it cannot name.
"""

from __future__ import annotations

from typing import Any, Literal

import psycopg
from psycopg.types.json import Jsonb

from models.provider_events import ProviderEvent

Recorded = Literal["recorded", "duplicate", "not_ours"]

RECORD_PROVIDER_EVENT = """
with target as (
    select message_id, customer_id, channel
    from messaging.outbox
    where message_id = %(message_id)s or provider_message_id = %(provider_message_id)s
    order by message_id = %(message_id)s desc nulls last
    limit 1
),
inserted as (
    insert into messaging.message_events (
        message_id, customer_id, channel, type, occurred_at, detail, source_event_id
    )
    select message_id, customer_id, channel, %(type)s, %(occurred_at)s, %(detail)s,
        %(source_event_id)s
    from target
    on conflict (source_event_id) do nothing
    returning event_id
)
select (select count(*) from target), (select count(*) from inserted)
"""


def provider_event_params(event: ProviderEvent) -> dict[str, Any]:
    return {
        "message_id": event.message_id,
        "provider_message_id": event.provider_message_id,
        "type": event.type,
        "occurred_at": event.occurred_at,
        "detail": Jsonb({**event.detail, "provider_message_id": event.provider_message_id}),
        "source_event_id": event.source_event_id,
    }


def outcome(matched: int, inserted: int) -> Recorded:
    if not matched:
        return "not_ours"
    return "recorded" if inserted else "duplicate"


def record_provider_event(conn: psycopg.Connection, event: ProviderEvent) -> Recorded:
    """Insert one event (in the caller's transaction, if any)."""
    matched, inserted = conn.execute(RECORD_PROVIDER_EVENT, provider_event_params(event)).fetchone()
    return outcome(matched, inserted)
