"""Dagster's home as touchpoint prepares it: the instance the daemon, the runs and the CLI share."""

from __future__ import annotations

import pytest
from dagster import DagsterInstance
from dagster._core.instance.ref import InstanceRef

from orchestration.dagster_home import prepare_process_environment
from orchestration.settings import Settings

EARLIER_DEFAULT = """# Written by touchpoint. Storage defaults to SQLite files in this folder.
telemetry:
  enabled: false
"""


@pytest.fixture
def home(tmp_path, monkeypatch):
    """prepare_process_environment sets process-wide variables: restored after the test."""
    for name in ("DAGSTER_HOME", "XDG_RUNTIME_DIR"):
        monkeypatch.delenv(name, raising=False)
    return tmp_path


def dequeue_interval(dagster_home) -> int:
    instance = DagsterInstance.from_ref(InstanceRef.from_dir(str(dagster_home)))
    try:
        return instance.run_coordinator.dequeue_interval_seconds
    finally:
        instance.dispose()


def test_a_new_home_queues_runs_for_a_second_at_most_not_five(home):
    dagster_home = prepare_process_environment(Settings(home=home))

    assert dequeue_interval(dagster_home) == 1


def test_an_earlier_untouched_config_is_brought_up_to_date_an_edited_one_is_kept(home):
    untouched, edited = home / "untouched", home / "edited"
    for folder, text in ((untouched, EARLIER_DEFAULT), (edited, EARLIER_DEFAULT + "# mine\n")):
        (folder / "dagster").mkdir(parents=True)
        (folder / "dagster" / "dagster.yaml").write_text(text)

    prepare_process_environment(Settings(home=untouched))
    prepare_process_environment(Settings(home=edited))

    assert dequeue_interval(untouched / "dagster") == 1
    assert dequeue_interval(edited / "dagster") == 5  # Dagster's default, the operator's file
    assert (edited / "dagster" / "dagster.yaml").read_text().endswith("# mine\n")
