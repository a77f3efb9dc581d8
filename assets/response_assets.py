"""``responses/ses_events``: the SES events waiting in SQS, drained and recorded as message events.

The queue and its SQS client are the ``provider_event_queue`` resource, which the orchestration
layer configures (``TOUCHPOINT_EVENTS_QUEUE_URL``, boto3's own endpoint and credentials).
Messages are received ten at a time until the queue has none left to give. Each body is an SNS
envelope or a raw SES event, read and recorded exactly as the webhook's
(``warehouse.provider_events``), so an event that arrives both ways counts once. A batch's rows
are committed first and its messages deleted after: a crash in between only redelivers events
that are then duplicates.

A message that cannot be parsed (not JSON, not an SES event) is left in the queue, logged with
its id and reason and counted: the queue's redrive policy moves it to its dead-letter queue
after ``maxReceiveCount`` receives, where an operator can read it. Without a redrive policy it
comes back after each visibility timeout and is reported again by every drain. Messages that
are well-formed but not recorded (a ``Send`` event, an event about no message of ours, an SNS
subscription notice) are deleted: keeping them would change nothing.

The asset's materialization says what became of each message, so a marketer sees deliveries
and bounces arrive and an operator sees any message the drain could not parse. The drain
itself (``drain_queue``) is plain Python, so a test or a CLI can drive it.

No ``from __future__ import annotations`` here: Dagster reads the asset function's
annotations at definition time to find its resources.
"""

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import psycopg
from dagster import (
    AssetExecutionContext,
    AssetKey,
    MaterializeResult,
    MetadataValue,
    asset,
)

from assets.dispatch_assets import dispatch_asset_key
from assets.resources import ProviderEventQueue, Warehouse
from models.markdown_text import markdown_literal
from models.payloads import PayloadError, json_object
from models.sns_envelope import SnsEnvelope
from warehouse.messaging_schema import migrate_messaging
from warehouse.provider_events import (
    ProviderEvent,
    Skipped,
    provider_message,
    record_provider_event,
)

RESPONSES_GROUP = "responses"
SES_EVENTS_KEY = AssetKey([RESPONSES_GROUP, "ses_events"])
# Every count drain_queue can return, reported even when 0 so the UI's plots line up.
RESULTS = ("recorded", "duplicate", "not_ours", "ignored", "unparseable", "deleted")
BATCH_SIZE = 10  # SQS's maximum per receive


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


@dataclass
class DrainResult:
    """Counts by what became of each message, and why unparseable ones were left."""

    counts: Counter = field(default_factory=Counter)
    unparseable: list[tuple[str, str]] = field(default_factory=list)  # (SQS message id, reason)


def drain_queue(
    conn: psycopg.Connection,
    sqs: Any,
    queue_url: str,
    *,
    wait_seconds: int = 1,
    log: Callable[[str], None] = print,
) -> DrainResult:
    """Record every parseable event in the queue; ``conn`` in autocommit mode."""
    result = DrainResult()
    seen: set[str] = set()
    while True:
        received = sqs.receive_message(
            QueueUrl=queue_url, MaxNumberOfMessages=BATCH_SIZE, WaitTimeSeconds=wait_seconds
        ).get("Messages", [])
        fresh = [message for message in received if message["MessageId"] not in seen]
        if not fresh:  # empty, or only messages left earlier in this drain came back
            return result
        seen.update(message["MessageId"] for message in fresh)
        handled = _record_batch(conn, fresh, result, log)
        _delete(sqs, queue_url, handled, result)


def _record_batch(conn, messages: list[dict], result: DrainResult, log) -> list[dict]:
    """Record a batch in one transaction; the messages that may now be deleted."""
    handled = []
    with conn.transaction():
        for message in messages:
            try:
                parsed = provider_message(json_object(message["Body"], "the message body"))
            except PayloadError as error:
                result.counts["unparseable"] += 1
                result.unparseable.append((message["MessageId"], str(error)))
                log(f"SQS message {message['MessageId']} left for the dead-letter queue: {error}")
                continue
            result.counts[_record(conn, parsed)] += 1
            handled.append(message)
    return handled


def _record(conn: psycopg.Connection, parsed: SnsEnvelope | ProviderEvent | Skipped) -> str:
    if isinstance(parsed, SnsEnvelope | Skipped):
        return "ignored"
    return record_provider_event(conn, parsed)


def _delete(sqs: Any, queue_url: str, messages: list[dict], result: DrainResult) -> None:
    if not messages:
        return
    entries = [
        {"Id": str(index), "ReceiptHandle": message["ReceiptHandle"]}
        for index, message in enumerate(messages)
    ]
    answer = sqs.delete_message_batch(QueueUrl=queue_url, Entries=entries)
    result.counts["deleted"] += len(answer.get("Successful", []))
    # A message not deleted comes back and is then a duplicate: nothing is lost or doubled.
    result.counts["delete_failed"] += len(answer.get("Failed", []))
