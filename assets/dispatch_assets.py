"""Dispatch as Dagster assets: ``dispatch/email`` and ``dispatch/sms``, downstream of every
campaign, each draining its channel of the outbox through ``assets.dispatch.dispatch_channel``.

Which provider sends is the orchestration layer's choice (it reads ``TOUCHPOINT_EMAIL_SENDER``
and friends); the assets take it as the ``senders`` resource, whose ``open(channel)`` returns a
context manager (a ``Sender`` is one), so nothing here reads the environment. A run opens one
sender (one SMTP connection, one boto3 client) per asset and closes it when the channel is
drained.

Several dispatchers can drain one channel together: one step can run ``workers`` side by
side, each a process of its own (``assets.dispatch_pool``); separate runs can take a different
``partition`` of ``partitions`` each, or simply overlap (claims never overlap).

No ``from __future__ import annotations`` here: Dagster reads the asset function's
annotations at definition time to find its config and resources.
"""

from collections.abc import Sequence

from dagster import (
    AssetExecutionContext,
    AssetKey,
    AssetsDefinition,
    Config,
    MaterializeResult,
    ResourceParam,
    asset,
)

from assets.dispatch_pool import Senders, dispatch_side_by_side
from assets.outbox_queue import DEFAULT_IN_FLIGHT, Claim
from assets.resources import Warehouse
from senders.retry_policy import RetryPolicy
from warehouse.messaging_schema import migrate_messaging

CHANNELS = ("email", "sms")
DISPATCH_GROUP = "dispatch"
# Every count dispatch_channel can return, reported even when 0 so the UI's plots line up.
RESULTS = (
    "sent",
    "retried",
    "failed",
    "opted_out",
    "in_doubt",
    "lapsed_in_doubt",
    "reconciled",
    "skipped",
)


class DispatchConfig(Config):
    """Run config: this run's share of the outbox, the dispatchers it runs side by side, the
    claim size, and how many rows a dispatcher hands to the provider at once (at most that many
    are in doubt per dispatcher if it is killed)."""

    partition: int = 0
    partitions: int = 1
    workers: int = 1
    batch_size: int = 500
    in_flight: int = DEFAULT_IN_FLIGHT


def dispatch_asset_key(channel: str) -> AssetKey:
    return AssetKey([DISPATCH_GROUP, channel])


def build_dispatch_assets(
    campaign_keys: Sequence[AssetKey],
    *,
    retry_policy: RetryPolicy | None = None,
    send_rate: float | None = None,
) -> list[AssetsDefinition]:
    """One asset per channel; ``send_rate`` is ``TOUCHPOINT_SEND_RATE`` (per channel and run)."""
    policy = retry_policy or RetryPolicy()
    return [
        _dispatch_asset(channel, list(campaign_keys), policy, send_rate) for channel in CHANNELS
    ]


def _dispatch_asset(
    channel: str,
    campaign_keys: list[AssetKey],
    retry_policy: RetryPolicy,
    send_rate: float | None,
) -> AssetsDefinition:
    @asset(
        key=dispatch_asset_key(channel),
        deps=campaign_keys,
        group_name=DISPATCH_GROUP,
        kinds={"python", "postgres"},
        description=f"Send every due {channel} message of the outbox, exactly once.",
    )
    def dispatch(
        context: AssetExecutionContext,
        config: DispatchConfig,
        warehouse: Warehouse,
        senders: ResourceParam[Senders],
    ) -> MaterializeResult:
        claim = Claim(
            worker=f"{context.run.run_id}/{channel}",
            channel=channel,
            partition=config.partition,
            partitions=config.partitions,
            limit=config.batch_size,
            in_flight=config.in_flight,
        )
        migrate_messaging(warehouse.url)
        counts = dispatch_side_by_side(
            warehouse.url, senders, claim, config.workers, retry_policy, send_rate
        )
        context.log.info(f"{channel}: {dict(counts) or 'nothing due'}")
        return MaterializeResult(metadata={name: counts.get(name, 0) for name in RESULTS})

    return dispatch
