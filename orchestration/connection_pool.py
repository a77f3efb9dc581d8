"""A small pool of asynchronous PostgreSQL connections for the tracking service.

``psycopg_pool`` is not among the project's dependencies, and the service needs little: a
handful of autocommit connections, opened on first use and reused, so an open or a click costs
one INSERT and no connection setup. At most ``size`` are open; a request beyond that waits for
one to come back. A connection that comes back broken, or inside a transaction (a request that
failed half-way), is closed rather than handed to the next request; the next one opens anew,
so a restarted database heals by itself after one failed request.

The pool belongs to the event loop it is opened in (the service's lifespan).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import psycopg
from psycopg.pq import TransactionStatus


class ConnectionPool:
    def __init__(self, url: str, size: int = 5, connect_timeout: int = 5) -> None:
        if size < 1:
            raise ValueError(f"a connection pool needs at least one connection, got {size}")
        self._url = url
        self._size = size
        self._connect_timeout = connect_timeout
        self._idle: list[psycopg.AsyncConnection] = []
        self._slots: asyncio.Semaphore | None = None
        self._closed = False

    async def open(self) -> None:
        """Take the running loop; the first connection opens now, so a wrong URL shows early."""
        self._slots = asyncio.Semaphore(self._size)
        async with self.connection():
            pass

    @asynccontextmanager
    async def connection(self) -> AsyncIterator[psycopg.AsyncConnection]:
        if self._slots is None or self._closed:
            raise RuntimeError("the connection pool is not open")
        async with self._slots:
            conn = self._idle.pop() if self._idle else await self._connect()
            try:
                yield conn
            finally:
                if self._closed or not _reusable(conn):
                    await conn.close()
                else:
                    self._idle.append(conn)

    async def close(self) -> None:
        self._closed = True
        while self._idle:
            await self._idle.pop().close()

    async def _connect(self) -> psycopg.AsyncConnection:
        return await psycopg.AsyncConnection.connect(
            self._url, autocommit=True, connect_timeout=self._connect_timeout
        )


def _reusable(conn: psycopg.AsyncConnection) -> bool:
    return not conn.closed and conn.info.transaction_status == TransactionStatus.IDLE
