"""The messaging tables the datamart reads back, as the ``messaging`` group of the lineage.

Campaigns, dispatch and the tracking service write these tables; the next dbt build reads them
as sources (consent, engagement, campaign results). That loop cannot be drawn as edges without
a cycle, so the tables sit upstream of the datamart, beside ``ingest``, and each one's
description names who writes it. Their keys are the dbt sources' ``meta.dagster.asset_key``
(dbt_project/models/staging/_messaging__sources.yml).
"""

from __future__ import annotations

from dagster import AssetKey, AssetSpec

MESSAGING_GROUP = "messaging"

WRITERS = {
    "occurrences": "Every trigger occurrence a campaign has judged, with its one outcome. "
    "Written by the campaigns step (its decisions); dispatch moves an outcome on to sent, "
    "failed, expired or in doubt; the tracking service queues the replies to inbound SMS.",
    "outbox": "One rendered message per occurrence to be sent, with its send status. "
    "Written by the campaigns step (render); dispatch claims each message and records how "
    "its send went; the tracking service queues the replies to inbound SMS.",
    "vouchers": "The unique voucher codes handed out, one per occurrence. "
    "Written by the campaigns step when it renders a message with a voucher.",
    "message_events": "Every send, failure and reaction to a message. "
    "Written by dispatch (sends, failures), the tracking service (opens, clicks, "
    "unsubscribes, inbound SMS, provider webhooks) and responses/ses_events (the SQS drain).",
}


MESSAGING_TABLES = [
    AssetSpec(
        key=AssetKey(["messaging", table]),
        group_name=MESSAGING_GROUP,
        kinds={"postgres"},
        description=description,
    )
    for table, description in WRITERS.items()
]
