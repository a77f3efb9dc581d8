"""The provider event queue (``TOUCHPOINT_EVENTS_QUEUE_URL``): its SQS client, its depth, and
the asset, job and sensor that drain it — present only when the queue is configured.

boto3 finds the endpoint, region and credentials in its own environment (``AWS_ENDPOINT_URL``,
``AWS_ENDPOINT_URL_SQS``, …), as the senders do. Receives and deletes are safe to repeat, so
the client keeps boto3's retries.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import boto3

from assets.response_assets import build_ses_events_asset
from orchestration.jobs import PROVIDER_EVENTS_JOB
from orchestration.settings import Settings
from sensors.provider_events import build_provider_events_sensor


def queue_client() -> Any:
    return boto3.session.Session().client("sqs")


def queue_depth(queue_url: str) -> int:
    """Messages a receive would get now (in-flight ones are not counted)."""
    client = queue_client()
    try:
        answer = client.get_queue_attributes(
            QueueUrl=queue_url, AttributeNames=["ApproximateNumberOfMessages"]
        )
    finally:
        client.close()
    return int(answer["Attributes"]["ApproximateNumberOfMessages"])


@dataclass(frozen=True)
class ProviderEventPieces:
    assets: list = field(default_factory=list)
    jobs: list = field(default_factory=list)
    sensors: list = field(default_factory=list)


def provider_event_pieces(settings: Settings) -> ProviderEventPieces:
    """Nothing without a queue: SES events then come only by the webhook (``/ses/events``)."""
    queue_url = settings.events_queue_url
    if not queue_url:
        return ProviderEventPieces()
    return ProviderEventPieces(
        assets=[build_ses_events_asset(queue_url, queue_client)],
        jobs=[PROVIDER_EVENTS_JOB],
        sensors=[build_provider_events_sensor(lambda: queue_depth(queue_url), PROVIDER_EVENTS_JOB)],
    )
