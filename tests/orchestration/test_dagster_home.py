"""Dagster's home as touchpoint prepares it: the instance the daemon, the runs and the CLI share."""

from __future__ import annotations

import pytest
from dagster import DagsterInstance
from dagster._core.instance.ref import InstanceRef
from dagster._core.run_coordinator import DefaultRunCoordinator, QueuedRunCoordinator

from orchestration.dagster_home import prepare_process_environment
from orchestration.settings import Settings

EARLIER_DEFAULTS = (
    """# Written by touchpoint. Storage defaults to SQLite files in this folder.
telemetry:
  enabled: false
""",
    """# Written by touchpoint. Storage defaults to SQLite files in this folder.
telemetry:
  enabled: false
# A run a sensor or schedule creates waits in the queue until the daemon next looks (every 5 s
# by default): seconds between a web event and its message.
run_queue:
  dequeue_interval_seconds: 1
""",
)


@pytest.fixture
def home(tmp_path, monkeypatch):
    """prepare_process_environment sets process-wide variables: restored after the test."""
    for name in ("DAGSTER_HOME", "XDG_RUNTIME_DIR"):
        monkeypatch.delenv(name, raising=False)
    return tmp_path


def run_coordinator(dagster_home):
    instance = DagsterInstance.from_ref(InstanceRef.from_dir(str(dagster_home)))
    try:
        return instance.run_coordinator
    finally:
        instance.dispose()


def test_a_new_home_launches_a_run_as_it_is_submitted_rather_than_queueing_it(home):
    dagster_home = prepare_process_environment(Settings(home=home))

    assert isinstance(run_coordinator(dagster_home), DefaultRunCoordinator)


@pytest.mark.parametrize("earlier", EARLIER_DEFAULTS)
def test_an_earlier_untouched_config_is_brought_up_to_date_an_edited_one_is_kept(home, earlier):
    untouched, edited = home / "untouched", home / "edited"
    for folder, text in ((untouched, earlier), (edited, earlier + "# mine\n")):
        (folder / "dagster").mkdir(parents=True)
        (folder / "dagster" / "dagster.yaml").write_text(text)

    prepare_process_environment(Settings(home=untouched))
    prepare_process_environment(Settings(home=edited))

    assert isinstance(run_coordinator(untouched / "dagster"), DefaultRunCoordinator)
    assert isinstance(run_coordinator(edited / "dagster"), QueuedRunCoordinator)  # Dagster's own
    assert (edited / "dagster" / "dagster.yaml").read_text().endswith("# mine\n")
