"""Which dispatchers are still running, so the rows of one that died need not wait out its lease.

A dispatcher holds a session-level advisory lock named after its worker id for as long as it
works (``present``). PostgreSQL drops a session's locks when the session ends — the process
exited or was killed, or its connection was lost — and a dispatcher without its session can
send nothing more. So a worker id whose lock nobody holds is *absent*: the rows it claimed but
never handed to a provider can be claimed again at once, and a row it left ``sending`` is in
doubt at once. The lease stays as the fallback for a dispatcher that is connected but stuck.

The lock is shared and keyed by a 32-bit hash of the worker id: two live workers whose ids
collide both hold it, so a collision can only make a dead worker look alive (its rows wait for
the lease), never a live one look dead.

Session locks need a session of the dispatcher's own: a pooler in transaction mode (PgBouncer's
``pool_mode = transaction``) hands the session to others, so dispatchers connect directly or
through a session-mode pool.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import psycopg

_NAMESPACE = "hashtext('touchpoint.dispatch_worker')"
_KEY = f"{_NAMESPACE}, hashtext(%(worker)s)"


def absent(column: str) -> str:
    """SQL that is true when no session holds the lock of the worker named in ``column``.

    ``column`` is a column name written in this package's SQL, never user input. The subquery
    does not depend on the row, so PostgreSQL reads ``pg_locks`` once per statement.
    """
    return f"""hashtext({column})::oid not in (
        select objid from pg_locks
        where locktype = 'advisory' and granted and objsubid = 2
            and classid = {_NAMESPACE}::oid
            and database = (select oid from pg_database where datname = current_database()))"""


@contextmanager
def present(conn: psycopg.Connection, worker: str) -> Iterator[None]:
    """Hold ``worker``'s lock on ``conn`` while the block runs: its leases hold meanwhile."""
    conn.execute(f"select pg_advisory_lock_shared({_KEY})", {"worker": worker})
    try:
        yield
    finally:
        if not conn.closed:  # a lost connection took the lock away with its session
            conn.execute(f"select pg_advisory_unlock_shared({_KEY})", {"worker": worker})
