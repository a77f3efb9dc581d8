"""Jobs. All but ``dispatch_outbox`` run in process: Dagster's multiprocess executor re-imports
the code location for every step, which more than doubles a small graph's wall time (measured:
47 s against 20 s in process for a small graph). Their dispatch runs as one partition step a
channel. ``dispatch_outbox`` is the one that fans dispatch out: its partition steps run side by
side under the multiprocess executor, or any other Dagster executor (docs/scaling.md)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from dagster import (
    AssetKey,
    AssetSelection,
    ExecutorDefinition,
    define_asset_job,
    in_process_executor,
    multiprocess_executor,
)

from assets.dispatch_assets import CHANNELS, DISPATCH_GROUP, dispatch_node_name
from assets.ingest import raw_asset_key
from assets.response_assets import RESPONSES_GROUP
from models.landing import POS_TRANSACTIONS, WEB_EVENTS

# Every job that renders messages sends them in the same run: an event becomes a send without
# waiting for another sensor tick.
DISPATCH = AssetSelection.groups(DISPATCH_GROUP)

DAILY_JOB = define_asset_job(
    "touchpoint_daily",
    selection=AssetSelection.all(),
    executor_def=in_process_executor,
    description="The whole pipeline: ingest → datamart → triggers → campaigns → dispatch.",
)

NEW_FILES_JOB = define_asset_job(
    "ingest_new_files",
    selection=AssetSelection.groups("ingest").downstream(),
    executor_def=in_process_executor,
    description="Ingest new landing files and rebuild and act on what depends on them.",
)


# What the new-behaviour sensor watches: web and store events, whatever loaded them.
BEHAVIOUR_SOURCES = AssetSelection.assets(
    raw_asset_key(WEB_EVENTS), raw_asset_key(POS_TRANSACTIONS)
)


def behaviour_job(campaign_keys: Sequence[AssetKey]):
    """The behavioural campaigns and journeys, and of the dbt models they stand on only those new
    web or store events can change: the facts, the orders, the customer dimension that counts
    them, the triggers. The catalogue, the CRM and the seeds change only by ingest, whose job
    rebuilds what depends on them; the response measurements behind ``favoured_channel`` are
    refreshed by the daily build; consent is a view, read as it is when a campaign judges.
    Without re-ingesting.

    Of the dbt tests, only the triggers' run here: an event's way to its message is this run,
    and the tests of the facts and dimensions (which every ingest and daily build run on the
    same SQL) doubled it. The triggers' tests stay: they guard what campaigns read (one row per
    occurrence, a customer to send to)."""
    upstream = AssetSelection.assets(*campaign_keys).upstream()
    changed_by_events = BEHAVIOUR_SOURCES.downstream() - AssetSelection.groups("ingest")
    rebuilt = (upstream & changed_by_events).materializable()
    return define_asset_job(
        "act_on_new_behaviour",
        selection=rebuilt.without_checks()
        | (rebuilt & AssetSelection.groups("triggers"))
        | DISPATCH,
        executor_def=in_process_executor,
        description="Rebuild the behaviour facts and triggers, then judge, render and send.",
    )


def date_triggers_job(campaign_keys: Sequence[AssetKey], trigger_keys: Sequence[AssetKey]):
    """Date-based triggers (they compute local dates from the run's as-of instant) and the
    dimensions they read, rebuilt from the facts already in the datamart so a CRM change made
    since the daily run counts too."""
    triggers_and_dimensions = AssetSelection.assets(*trigger_keys).upstream(depth=1)
    return define_asset_job(
        "date_triggers",
        selection=(triggers_and_dimensions - AssetSelection.groups("ingest"))
        | AssetSelection.assets(*campaign_keys)
        | DISPATCH,
        executor_def=in_process_executor,
        description="Birthdays, vehicle dates: re-evaluated hourly for every time zone.",
    )


def journeys_job(journey_keys: Sequence[AssetKey]):
    """Advance the journeys on the datamart as it is (no dbt build), and send what they reach."""
    return define_asset_job(
        "advance_journeys",
        selection=AssetSelection.assets(*journey_keys) | DISPATCH,
        executor_def=in_process_executor,
        description="Journeys: a reaction a branch waits for, or a wait come due.",
    )


DISPATCH_JOB_NAME = "dispatch_outbox"
# The module whose ``defs`` is the code location (workspace.yaml).
CODE_LOCATION = "orchestration.definitions"
# One partition step a core of the development machine; a run's config can ask for more.
DEFAULT_PARTITIONS = 2


def dispatch_job(
    partitions: int = DEFAULT_PARTITIONS,
    executor_def: ExecutorDefinition = multiprocess_executor,
    execution_config: Mapping[str, Any] | None = None,
):
    """Every channel's outbox in ``partitions`` steps, in the default run config. Another
    executor (``dagster_k8s.k8s_job_executor``, ``dagster_celery.celery_executor``) comes with
    its own ``execution_config``; the steps are the same (docs/scaling.md)."""
    if execution_config is None:
        execution_config = multiprocess_config(partitions)
    return define_asset_job(
        DISPATCH_JOB_NAME,
        selection=DISPATCH,
        executor_def=executor_def,
        config=dispatch_run_config(partitions, execution_config),
        description="Drain the outbox in parallel: one step a partition of each channel.",
    )


def multiprocess_config(
    partitions: int, preload: Sequence[str] = (CODE_LOCATION,)
) -> dict[str, Any]:
    """``partitions`` steps at once, each forked from a server that imported ``preload`` (the
    code location) once, rather than a new interpreter importing it again (``spawn``): under a
    second a step instead of several. Dagster preloads only itself unless told which modules."""
    forkserver = {"preload_modules": list(preload)}
    return {"max_concurrent": partitions, "start_method": {"forkserver": forkserver}}


def dispatch_run_config(partitions: int, execution_config: Mapping[str, Any]) -> dict[str, Any]:
    """Run config of ``dispatch_outbox``: ``partitions`` steps a channel."""
    return {
        "execution": {"config": dict(execution_config)},
        "ops": {
            dispatch_node_name(channel): {"config": {"partitions": partitions}}
            for channel in CHANNELS
        },
    }


DUE_MESSAGES_JOB = define_asset_job(
    "send_due_messages",
    selection=DISPATCH,
    executor_def=in_process_executor,
    description="Drain the outbox: deferred messages whose window opened, retries, expiries.",
)

# Only in the definitions when TOUCHPOINT_EVENTS_QUEUE_URL is set (it selects the queue's asset).
PROVIDER_EVENTS_JOB = define_asset_job(
    "record_provider_events",
    selection=AssetSelection.groups(RESPONSES_GROUP),
    executor_def=in_process_executor,
    description="Record the SES events waiting in the provider event queue.",
)


CARRY_ON_JOB_NAME = "carry_on_after_datamart_failure"


def carry_on_job(message_keys: Sequence[AssetKey]):
    """Launched with a subset of these assets after a run whose dbt build failed (see
    sensors/datamart_failure.py): the campaigns and journeys whose sources were built, and
    dispatch."""
    return define_asset_job(
        CARRY_ON_JOB_NAME,
        selection=AssetSelection.assets(*message_keys) | DISPATCH,
        executor_def=in_process_executor,
        description="Judge, render and send what a failed dbt build could still feed.",
    )
