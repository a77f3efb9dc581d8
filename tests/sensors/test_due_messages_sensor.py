"""The due-messages sensor: a dispatch run when outbox rows need one, never two at once."""

from __future__ import annotations

import uuid

import pytest
from dagster import DagsterInstance, DagsterRun, DagsterRunStatus, build_sensor_context

from assets.dispatch_workers import present
from assets.resources import Warehouse
from orchestration.jobs import DUE_MESSAGES_JOB
from orchestration.outbox_watch import due_message_count
from sensors.due_messages import build_due_messages_sensor
from tests.assets.outbox_seed import add_message

SENSOR = build_due_messages_sensor(DUE_MESSAGES_JOB, due_message_count)


@pytest.fixture
def conn(messaging_conn):
    return messaging_conn


def set_row(conn, message_id, assignments: str) -> None:
    conn.execute(f"update messaging.outbox set {assignments} where message_id = %s", (message_id,))


def tick(instance: DagsterInstance, database_url: str):
    """One evaluation of the sensor, given the datamart at ``database_url`` as its warehouse."""
    warehouse = Warehouse(url=database_url)
    with build_sensor_context(instance=instance, resources={"warehouse": warehouse}) as context:
        return SENSOR.evaluate_tick(context)


def test_before_the_first_campaign_run_nothing_is_due(database_url):
    assert due_message_count(Warehouse(url=database_url)) == 0


def test_rows_are_due_when_sendable_expired_lapsed_in_sending_or_left_by_a_gone_worker(
    conn, database_url
):
    waiting, due, expired, lapsed, held, left, sent = (add_message(conn, i) for i in range(7))
    set_row(conn, waiting, "send_after = now() + interval '2 hours'")
    set_row(conn, expired, "send_after = now() + interval '2 hours', expires_at = now()")
    set_row(conn, lapsed, "status = 'sending', lease_until = now() - interval '1 second'")
    set_row(conn, held, "claimed_by = 'alive', lease_until = now() + interval '5 minutes'")
    set_row(conn, left, "claimed_by = 'gone', lease_until = now() + interval '5 minutes'")
    set_row(conn, sent, "status = 'sent'")

    with present(conn, "alive"):
        assert due_message_count(Warehouse(url=database_url)) == 4  # due, expired, lapsed, left


def test_the_sensor_asks_for_a_run_only_when_something_is_due(conn, database_url):
    message_id = add_message(conn, 0)
    set_row(conn, message_id, "send_after = now() + interval '1 hour'")
    instance = DagsterInstance.ephemeral()

    before = tick(instance, database_url)
    set_row(conn, message_id, "send_after = now() - interval '1 second'")
    after = tick(instance, database_url)

    assert before.run_requests == [] and before.skip_message == "no message due"
    assert len(after.run_requests) == 1


def test_while_a_dispatch_run_is_going_the_sensor_waits(conn, database_url):
    add_message(conn, 0)
    instance = DagsterInstance.ephemeral()
    run = DagsterRun(
        job_name=DUE_MESSAGES_JOB.name, run_id=str(uuid.uuid4()), status=DagsterRunStatus.STARTED
    )
    instance.add_run(run)

    going = tick(instance, database_url)
    instance.report_run_failed(run)
    done = tick(instance, database_url)

    assert going.run_requests == [] and "already going" in going.skip_message
    assert len(done.run_requests) == 1
