"""Dispatch as Dagster assets: ``dispatch/email`` and ``dispatch/sms``, downstream of every
campaign, each draining its channel of the outbox through ``assets.dispatch.dispatch_channel``.

Each asset is a graph of steps, so that Dagster's executor, not code of ours, decides where
dispatchers run and how many at once (docs/scaling.md, Running on other executors):

    <channel>_partitions ──▶ <channel>_partition[partition_0]  ─┐
      (one share a          <channel>_partition[partition_1]  ─┼─▶ <channel>_sent
       partition)           …                                  ─┘   (the counts, added up:
                                                                      the asset's metadata)

A partition step is one dispatcher with its own database session and provider connection,
claiming only the rows of its partition (a hash of the customer). Under the in-process
executor the steps run one after the other; under the multiprocess, Kubernetes or Celery
executor they run side by side. Exactly once never depends on how they run: it rests on the
database (claims, leases, the worker's session lock; docs/architecture.md, Sending
invariants), and overlapping runs are just as safe.

Which provider sends is the orchestration layer's choice (it reads ``TOUCHPOINT_EMAIL_SENDER``
and friends); the steps take it as the ``senders`` resource, whose ``open(channel)`` returns a
context manager (a ``Sender`` is one), so nothing here reads the environment.

No ``from __future__ import annotations`` here: Dagster reads the op functions' annotations at
definition time to find their config, inputs and resources.
"""

import os
import socket
from collections import Counter
from collections.abc import Sequence
from contextlib import AbstractContextManager
from dataclasses import replace
from typing import Protocol

import psycopg
from dagster import (
    AssetIn,
    AssetKey,
    AssetsDefinition,
    Config,
    ConfigMapping,
    DynamicOut,
    DynamicOutput,
    In,
    Nothing,
    OpExecutionContext,
    Out,
    Output,
    ResourceParam,
    graph_asset,
    op,
)

from assets.dispatch import dispatch_channel
from assets.outbox_queue import DEFAULT_IN_FLIGHT, Claim
from assets.resources import Warehouse
from senders.protocol import Sender
from senders.rate_limit import rate_limiter
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
)


class Senders(Protocol):
    """The ``senders`` resource: the sender of a channel, opened for one partition step."""

    def open(self, channel: str) -> AbstractContextManager[Sender]: ...


class DispatchConfig(Config):
    """Run config of a channel's dispatch: how many partition steps share its outbox, and how
    many rows a dispatcher claims and hands to the provider at once (at most that many are in
    doubt per dispatcher if it is killed)."""

    partitions: int = 1
    in_flight: int = DEFAULT_IN_FLIGHT


def dispatch_asset_key(channel: str) -> AssetKey:
    return AssetKey([DISPATCH_GROUP, channel])


def dispatch_node_name(channel: str) -> str:
    """The asset's graph in a job: where its run config goes (``ops: {<this>: {config: …}}``)."""
    return dispatch_asset_key(channel).to_python_identifier()


def build_dispatch_assets(
    campaign_keys: Sequence[AssetKey],
    *,
    retry_policy: RetryPolicy | None = None,
    send_rate: float | None = None,
) -> list[AssetsDefinition]:
    """One asset per channel; ``send_rate`` is ``TOUCHPOINT_SEND_RATE`` (per channel and run,
    shared out evenly between the partition steps)."""
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
    # Each campaign is an input that passes nothing: it only orders the steps after it.
    upstream = {key.to_python_identifier(): key for key in campaign_keys}
    partitions = _partitions_op(channel, list(upstream))
    partition = _partition_op(channel, retry_policy, send_rate)
    sent = _sent_op(channel)

    @graph_asset(
        key=dispatch_asset_key(channel),
        ins={name: AssetIn(key, dagster_type=Nothing) for name, key in upstream.items()},
        config=ConfigMapping(
            config_fn=lambda config: {partitions.name: {"config": config}},
            config_schema=DispatchConfig.to_config_schema(),
        ),
        group_name=DISPATCH_GROUP,
        kinds={"python", "postgres"},
        description=f"Send every due {channel} message of the outbox, exactly once.",
    )
    def dispatch(**campaigns):
        return sent(partitions(**campaigns).map(partition).collect())

    return dispatch


def _partitions_op(channel: str, upstream: list[str]):
    @op(
        name=f"{channel}_partitions",
        ins={name: In(Nothing) for name in upstream},
        out=DynamicOut(Claim),
        description=f"The {channel} outbox's share of each partition step.",
    )
    def partitions(context: OpExecutionContext, config: DispatchConfig, warehouse: Warehouse):
        if config.partitions < 1:
            raise ValueError(f"dispatch needs at least one partition, got {config.partitions}")
        migrate_messaging(warehouse.url)
        for number in range(config.partitions):
            claim = Claim(
                worker=f"{context.run_id}/{channel}/{number}",
                channel=channel,
                partition=number,
                partitions=config.partitions,
                in_flight=config.in_flight,
            )
            yield DynamicOutput(claim, mapping_key=f"partition_{number}")

    return partitions


def _partition_op(channel: str, retry_policy: RetryPolicy, send_rate: float | None):
    @op(name=f"{channel}_partition", description=f"One dispatcher on its {channel} partition.")
    def partition(
        context: OpExecutionContext,
        claim: Claim,
        warehouse: Warehouse,
        senders: ResourceParam[Senders],
    ) -> dict:
        rate = send_rate / claim.partitions if send_rate else None
        counts = dispatch_share(warehouse.url, senders, claim, retry_policy, rate)
        context.log.info(f"{channel} partition {claim.partition}: {dict(counts) or 'nothing due'}")
        return dict(counts)

    return partition


def _sent_op(channel: str):
    @op(name=f"{channel}_sent", out=Out(Nothing), description=f"What the {channel} steps did.")
    def sent(context: OpExecutionContext, counts: list[dict]):
        total = sum((Counter(part) for part in counts), Counter())
        context.log.info(f"{channel}: {dict(total) or 'nothing due'}")
        yield Output(None, metadata={name: total.get(name, 0) for name in RESULTS})

    return sent


def dispatch_share(
    url: str,
    senders: Senders,
    claim: Claim,
    retry_policy: RetryPolicy,
    send_rate: float | None = None,
) -> Counter:
    """One dispatcher on ``claim``'s partition, in the calling process. Its worker id adds the
    host and process id to the claim's (run, channel, partition), so no two dispatchers, nor a
    retried step in another process or pod, ever pass for the same worker."""
    worker = f"{claim.worker}/{socket.gethostname()}:{os.getpid()}"
    with (
        psycopg.connect(url, autocommit=True) as conn,
        senders.open(claim.channel) as sender,
    ):
        return dispatch_channel(
            conn, sender, replace(claim, worker=worker), retry_policy, rate_limiter(send_rate)
        )
