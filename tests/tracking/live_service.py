"""The tracking service on a real uvicorn socket, as ``touchpoint serve`` runs it."""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Iterator

import uvicorn

from tests.senders.smtp_server import free_port
from tracking.service import ServiceConfig, build_app


@contextlib.contextmanager
def running_service(config: ServiceConfig) -> Iterator[str]:
    """The service on a real uvicorn socket, as ``touchpoint serve`` runs it; its base URL."""
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(build_app(config), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
