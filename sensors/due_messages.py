"""The due-messages sensor: outbox rows that need a dispatcher now → a dispatch run.

That is a deferred message whose ``send_after`` has come (its recipient's send window opened,
or a retry's back-off ended), a queued message past its expiry (recorded ``expired``), or a row
a dead worker left ``sending`` past its lease (recorded ``in_doubt``). While a dispatch run is
queued or going, the sensor waits (``sensors.backlog``).
"""

from __future__ import annotations

from collections.abc import Callable

from dagster import JobDefinition, RunRequest, SkipReason

from sensors.backlog import build_backlog_sensor

DUE_MESSAGES_SENSOR_INTERVAL_SECONDS = 60


def due_messages_request(due: int, active_runs: int) -> RunRequest | SkipReason:
    if due == 0:
        return SkipReason("no message due")
    if active_runs:
        return SkipReason(f"{due} due; a dispatch run is already going")
    return RunRequest()


def build_due_messages_sensor(count_due: Callable[[], int], job: JobDefinition):
    return build_backlog_sensor(
        name="due_messages_sensor",
        job=job,
        interval_seconds=DUE_MESSAGES_SENSOR_INTERVAL_SECONDS,
        description="Sends deferred messages when their send window opens and retries when "
        "their back-off ends; records expired and in-doubt rows.",
        read_backlog=count_due,
        decide=due_messages_request,
    )
