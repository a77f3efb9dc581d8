"""The due-messages sensor: outbox rows that need a dispatcher now → a dispatch run.

That is a deferred message whose ``send_after`` has come (its recipient's send window opened,
or a retry's back-off ended), a queued message past its expiry (recorded ``expired``), or a row
a dead worker left ``sending`` past its lease (recorded ``in_doubt``). While a dispatch run is
queued or going, the sensor waits (``sensors.backlog``).

No ``from __future__ import annotations`` here: Dagster reads the sensor function's annotations
to find its resources.
"""

from collections.abc import Callable

from dagster import (
    DefaultSensorStatus,
    JobDefinition,
    RunRequest,
    SensorEvaluationContext,
    SkipReason,
    sensor,
)

from assets.resources import Warehouse
from sensors.backlog import backlog_result

DUE_MESSAGES_SENSOR_INTERVAL_SECONDS = 60


def due_messages_request(due: int, active_runs: int) -> RunRequest | SkipReason:
    if due == 0:
        return SkipReason("no message due")
    if active_runs:
        return SkipReason(f"{due} due; a dispatch run is already going")
    return RunRequest()


def build_due_messages_sensor(job: JobDefinition, count_due: Callable[[Warehouse], int]):
    """``count_due`` reads the outbox of the ``warehouse`` resource."""

    @sensor(
        name="due_messages_sensor",
        job=job,
        minimum_interval_seconds=DUE_MESSAGES_SENSOR_INTERVAL_SECONDS,
        default_status=DefaultSensorStatus.RUNNING,
        description="Sends deferred messages when their send window opens and retries when "
        "their back-off ends; records expired and in-doubt rows.",
    )
    def due_messages_sensor(context: SensorEvaluationContext, warehouse: Warehouse):
        return backlog_result(context, job, count_due(warehouse), due_messages_request)

    return due_messages_sensor
