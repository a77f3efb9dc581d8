"""``responses/ses_events``: the SES events waiting in SQS, recorded as message events.

The queue and its SQS client are the ``provider_event_queue`` resource, which the orchestration
layer configures (``TOUCHPOINT_EVENTS_QUEUE_URL``, boto3's own endpoint and credentials); the
drain itself is ``assets.provider_event_queue.drain_queue``. Its materialization says what
became of each message, so a marketer sees deliveries and bounces arrive and an operator sees
any message the drain could not parse (left for the queue's dead-letter policy).

No ``from __future__ import annotations`` here: Dagster reads the asset function's
annotations at definition time to find its resources.
"""

from typing import Any

from dagster import (
    AssetExecutionContext,
    AssetKey,
    MaterializeResult,
    MetadataValue,
    asset,
)

from assets.dispatch_assets import dispatch_asset_key
from assets.messaging_schema import migrate_messaging
from assets.provider_event_queue import drain_queue
from assets.resources import ProviderEventQueue, Warehouse
from models.markdown_text import markdown_literal

RESPONSES_GROUP = "responses"
SES_EVENTS_KEY = AssetKey([RESPONSES_GROUP, "ses_events"])
# Every count drain_queue can return, reported even when 0 so the UI's plots line up.
RESULTS = ("recorded", "duplicate", "not_ours", "ignored", "unparseable", "deleted")


@asset(
    key=SES_EVENTS_KEY,
    deps=[dispatch_asset_key("email")],  # the emails these events are about
    group_name=RESPONSES_GROUP,
    kinds={"python", "postgres", "aws"},
    description="Record the SES delivery, bounce, complaint, open and click events "
    "waiting in the provider event queue.",
)
def ses_events(
    context: AssetExecutionContext, warehouse: Warehouse, provider_event_queue: ProviderEventQueue
) -> MaterializeResult:
    migrate_messaging(warehouse.url)
    client = provider_event_queue.client()
    try:
        with warehouse.connect() as conn:
            result = drain_queue(conn, client, provider_event_queue.url, log=context.log.warning)
    finally:
        client.close()
    context.log.info(f"provider events: {dict(result.counts) or 'none waiting'}")
    metadata: dict[str, Any] = {name: result.counts.get(name, 0) for name in RESULTS}
    if result.unparseable:
        lines = [
            f"- {markdown_literal(message_id)}: {markdown_literal(reason)}"
            for message_id, reason in result.unparseable
        ]
        metadata["unparseable_messages"] = MetadataValue.md("\n".join(lines[:20]))
    return MaterializeResult(metadata=metadata)
