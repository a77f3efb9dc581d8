"""The provider event queue (``TOUCHPOINT_EVENTS_QUEUE_URL``): the ``provider_event_queue``
resource and the asset, job and sensor that drain it — present only when the queue is configured.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from assets.resources import ProviderEventQueue
from assets.response_assets import ses_events
from orchestration.jobs import PROVIDER_EVENTS_JOB
from orchestration.resources import setting_config
from orchestration.settings import Settings
from sensors.provider_events import build_provider_events_sensor


@dataclass(frozen=True)
class ProviderEventPieces:
    assets: list = field(default_factory=list)
    jobs: list = field(default_factory=list)
    sensors: list = field(default_factory=list)
    resources: dict = field(default_factory=dict)


def provider_event_pieces(settings: Settings) -> ProviderEventPieces:
    """Nothing without a queue: SES events then come only by the webhook (``/ses/events``)."""
    if not settings.events_queue_url:
        return ProviderEventPieces()
    queue = ProviderEventQueue(url=setting_config(settings, "events_queue_url"))
    return ProviderEventPieces(
        assets=[ses_events],
        jobs=[PROVIDER_EVENTS_JOB],
        sensors=[build_provider_events_sensor(PROVIDER_EVENTS_JOB)],
        resources={"provider_event_queue": queue},
    )
