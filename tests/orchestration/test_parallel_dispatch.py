"""The dispatch job fans each channel's outbox out to partition steps that Dagster's
multiprocess executor runs side by side, each a process of its own, through a real SMTP server:
every message is received once."""

from __future__ import annotations

import os
from collections import Counter

import pytest
from dagster import instance_for_test

from tests.assets.outbox_seed import add_messages
from tests.orchestration.dispatch_steps import dispatched
from tests.senders.outbox_rows import FROM, SECRET, TRACKING_URL
from tests.senders.smtp_server import running_smtp_server


@pytest.fixture
def smtp_server():
    with running_smtp_server() as server:
        yield server


def test_two_partition_steps_in_processes_of_their_own_send_every_message_once(
    messaging_conn, database_url, smtp_server, tmp_path, monkeypatch
):
    ids = add_messages(messaging_conn, 60)
    settings = {
        "DATABASE_URL": database_url,
        "EMAIL_SENDER": "smtp",
        "SMTP_URL": smtp_server.url(),
        "FROM_EMAIL": FROM,
        "TRACKING_URL": TRACKING_URL,
        "SECRET": SECRET,
        "HOME": str(tmp_path),
    }
    for name, value in settings.items():
        monkeypatch.setenv(f"TOUCHPOINT_{name}", value)

    with (
        instance_for_test() as instance,
        dispatched(instance, partitions=2, channels=["email"]) as result,
    ):
        assert result.success
        steps = {event.step_key for event in result.all_events if event.is_step_success}
        [materialization] = result.get_asset_materialization_events()
        metadata = materialization.materialization.metadata

    assert {
        "dispatch__email.email_partition[partition_0]",
        "dispatch__email.email_partition[partition_1]",
    } <= steps
    assert metadata["sent"].value == 60 and metadata["failed"].value == 0
    received = Counter(r for mail in smtp_server.mailbox.received for r in mail.recipients)
    assert received == {f"u{i}@example.com": 1 for i in range(60)}
    rows = messaging_conn.execute("select status, claimed_by from messaging.outbox").fetchall()
    assert {status for status, _ in rows} == {"sent"} and len(rows) == len(ids)
    # Each partition was its own dispatcher, in a process other than this one.
    workers = {claimed_by for _, claimed_by in rows}
    partitions = {worker.split("/")[2] for worker in workers}
    assert len(workers) == 2 and partitions == {"0", "1"}
    assert all(not worker.endswith(f":{os.getpid()}") for worker in workers)
