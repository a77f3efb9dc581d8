"""The dispatch job of ``orchestration/jobs.py`` on the dispatch assets alone, run for real
(``execute_job``: each step a process of its own under the multiprocess executor).

The resources are the definitions' own, read from the ``TOUCHPOINT_*`` settings by each step's
process: set them before the first run. The executor's forkserver starts with the first run and
keeps the environment it started with for every later run of the process.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from dagster import (
    DagsterInstance,
    Definitions,
    JobDefinition,
    JobExecutionResult,
    execute_job,
    reconstructable,
)

from assets.dispatch_assets import CHANNELS, build_dispatch_assets, dispatch_asset_key
from orchestration.jobs import (
    DISPATCH_JOB_NAME,
    dispatch_job,
    dispatch_run_config,
    multiprocess_config,
)
from orchestration.resources import build_resources
from orchestration.settings import load_settings


def dispatch_only_job() -> JobDefinition:
    """Module-level, so that each step's process can rebuild the job."""
    resources = build_resources(load_settings())
    definitions = Definitions(
        assets=build_dispatch_assets([]),
        jobs=[dispatch_job()],
        resources={name: resources[name] for name in ("warehouse", "senders")},
    )
    return definitions.resolve_job_def(DISPATCH_JOB_NAME)


@contextmanager
def dispatched(
    instance: DagsterInstance, partitions: int, channels: Sequence[str] = CHANNELS
) -> Iterator[JobExecutionResult]:
    """One run of the job on ``channels``, ``partitions`` steps each, all at once."""
    config = dispatch_run_config(partitions, multiprocess_config(partitions, [__name__]))
    with execute_job(
        reconstructable(dispatch_only_job),
        instance,
        run_config=config,
        asset_selection=[dispatch_asset_key(channel) for channel in channels],
    ) as result:
        yield result
