"""The ``touchpoint`` commands an operator runs by hand, as real processes: they work from any
folder, ``db stop`` does not pull the server from under a running service, and ``ui`` stops
its webserver and daemon when told to."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from orchestration.embedded_postgres import EmbeddedPostgres
from orchestration.settings import PROJECT_ROOT, load_settings
from tests.bench.dagster_ui import loaded_locations
from tests.conftest import TEST_HOME

TOUCHPOINT = str(Path(sys.executable).with_name("touchpoint"))


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for_http(url: str, process: subprocess.Popen, seconds: float) -> bytes:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert process.poll() is None, process.communicate()[1]
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                return response.read()
        except OSError:
            time.sleep(0.5)
    raise AssertionError(f"{url} did not answer within {seconds} s")


def descendants(pid: int) -> dict[int, str]:
    """Every live process below ``pid``, with its command line (a /proc scan)."""
    parents: dict[int, int] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        parents[int(stat.parent.name)] = int(fields[1])
    found, frontier = {}, [pid]
    while frontier:
        parent = frontier.pop()
        for child, its_parent in parents.items():
            if its_parent == parent and child not in found:
                found[child] = command_line(child)
                frontier.append(child)
    return found


def command_line(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.fixture
def own_home() -> Iterator[Path]:
    """A touchpoint home of its own (its own embedded server), under the project's folder."""
    home = TEST_HOME / "scratch" / uuid.uuid4().hex[:8]
    yield home
    EmbeddedPostgres(home).stop()
    shutil.rmtree(home, ignore_errors=True)


def touchpoint(*args: str, home: Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "TOUCHPOINT_HOME": str(home)}
    return subprocess.run(
        [TOUCHPOINT, *args], env=env, cwd=cwd, capture_output=True, text=True, timeout=120
    )


def test_unset_paths_default_to_the_project_whatever_the_current_folder(monkeypatch, tmp_path):
    for name in ("TOUCHPOINT_HOME", "TOUCHPOINT_CAMPAIGNS", "TOUCHPOINT_LANDING"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)

    settings = load_settings()

    assert settings.home == PROJECT_ROOT / ".touchpoint"
    assert settings.campaigns == PROJECT_ROOT / "campaigns"
    assert settings.landing == str(PROJECT_ROOT / "data" / "landing")


def test_a_relative_path_setting_is_relative_to_the_current_folder(monkeypatch, tmp_path):
    monkeypatch.setenv("TOUCHPOINT_LANDING", "incoming")
    monkeypatch.setenv("TOUCHPOINT_CAMPAIGNS", "marketing/campaigns")
    monkeypatch.chdir(tmp_path)

    settings = load_settings()

    assert settings.landing == str(tmp_path.resolve() / "incoming")
    assert settings.campaigns == tmp_path.resolve() / "marketing" / "campaigns"


def start_serve(home: Path, cwd: Path, port: int, *options: str) -> subprocess.Popen:
    env = {**os.environ, "TOUCHPOINT_HOME": str(home), "TOUCHPOINT_SECRET": "s" * 32}
    return subprocess.Popen(
        [TOUCHPOINT, "serve", "--port", str(port), *options],
        env=env,
        cwd=cwd,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_db_stop_refuses_while_serve_uses_the_server_and_names_it(own_home, tmp_path):
    port = free_port()
    serve = start_serve(own_home, tmp_path, port)
    try:
        wait_for_http(f"http://127.0.0.1:{port}/health", serve, 60)
        refused = touchpoint("db", "stop", home=own_home, cwd=tmp_path)

        assert refused.returncode == 1
        assert f"pid {serve.pid}" in refused.stderr and "serve" in refused.stderr
        assert EmbeddedPostgres(own_home).is_running()
        wait_for_http(f"http://127.0.0.1:{port}/health", serve, 5)

        forced = touchpoint("db", "stop", "--force", home=own_home, cwd=tmp_path)
        assert forced.returncode == 0, forced.stderr
        assert not EmbeddedPostgres(own_home).is_running()
    finally:
        serve.terminate()
        serve.wait(timeout=30)


def test_serve_with_two_workers_runs_two_processes_that_answer_and_stops_them_all(
    own_home, tmp_path
):
    port = free_port()
    serve = start_serve(own_home, tmp_path, port, "--workers", "2")
    try:
        answers = [wait_for_http(f"http://127.0.0.1:{port}/health", serve, 60) for _ in range(20)]
        workers = [
            pid for pid, command in descendants(serve.pid).items() if "spawn_main" in command
        ]
    finally:
        serve.terminate()
        serve.wait(timeout=30)

    assert len(answers) == 20
    assert len(workers) == 2, descendants(serve.pid)
    assert not any(alive(pid) for pid in workers)


def test_serve_refuses_zero_workers_and_says_what_it_expects(tmp_path):
    refused = touchpoint("serve", "--workers", "0", home=tmp_path / "home", cwd=tmp_path)

    assert refused.returncode == 2
    assert "--workers: got '0'; expected a whole number, 1 or more" in refused.stderr


def test_db_stop_stops_a_server_nobody_uses(own_home, tmp_path):
    assert touchpoint("db", "start", home=own_home, cwd=tmp_path).returncode == 0

    stopped = touchpoint("db", "stop", home=own_home, cwd=tmp_path)

    assert stopped.returncode == 0, stopped.stderr
    assert not EmbeddedPostgres(own_home).is_running()


def test_ui_from_another_folder_loads_the_code_and_sigterm_stops_webserver_and_daemon(
    pg_server, dbt_manifest, tmp_path
):
    port = free_port()
    env = {**os.environ, "TOUCHPOINT_HOME": str(TEST_HOME)}
    # As a shell's background job: SIGINT ignored, which dagster dev would inherit.
    ui = subprocess.Popen(
        [TOUCHPOINT, "ui", "--port", str(port)],
        env=env,
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_IGN),
    )
    try:
        wait_for_http(f"http://127.0.0.1:{port}/server_info", ui, 180)
        deadline = time.monotonic() + 120
        while (locations := loaded_locations(port)) != ["RepositoryLocation"]:
            assert "PythonError" not in locations, locations
            assert time.monotonic() < deadline, locations
            time.sleep(1)
        children = descendants(ui.pid)
        commands = " ".join(children.values())
        assert "dagster_webserver" in commands and "dagster._daemon" in commands, commands

        ui.send_signal(signal.SIGTERM)
        ui.wait(timeout=30)
        time.sleep(1)
    finally:
        if ui.poll() is None:
            ui.kill()
    left = {pid: command for pid, command in children.items() if alive(pid)}
    assert left == {}
    assert pg_server.is_running(), "the server the test session holds is still up"


def test_preview_of_a_journey_steps_campaign_points_to_journey_show(own_home, tmp_path):
    step = touchpoint(
        "preview", "service_reminder", "--customer", "C1", home=own_home, cwd=tmp_path
    )
    unknown = touchpoint("preview", "no_such", "--customer", "C1", home=own_home, cwd=tmp_path)

    assert step.returncode == unknown.returncode == 2
    assert (
        "'service_reminder' is the step 'service_reminder' of the journey 'vehicle_lifecycle': "
        "see `touchpoint journey show vehicle_lifecycle --customer ID`"
    ) in step.stderr
    assert "no campaign 'no_such'; known: birthday, " in unknown.stderr
