"""The demo's mail server: real SMTP on loopback, every mail kept as an ``.eml`` file.

With ``TOUCHPOINT_SMTP_URL`` unset, email goes here: the dispatcher speaks SMTP
to it exactly as to a relay, and each accepted mail lands in ``$TOUCHPOINT_HOME/mailbox`` as
``<X-Touchpoint-Message-Id>.eml`` — open it in any mail program. The server lives as long as
one partition step of dispatch; nothing else needs to be running.
"""

from __future__ import annotations

import os
import re
import socket
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from aiosmtpd.controller import Controller

_MESSAGE_ID_HEADER = re.compile(rb"^X-Touchpoint-Message-Id:\s*([0-9a-fA-F-]{36})\s*$", re.M)
_HEADER_END = re.compile(rb"\r?\n\r?\n")


class MailboxHandler:
    """aiosmtpd handler: writes the mail whole (aside, then renamed) before answering 250."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    async def handle_DATA(self, server, session, envelope) -> str:
        content = envelope.original_content or envelope.content
        head = _HEADER_END.split(content, maxsplit=1)[0]
        found = _MESSAGE_ID_HEADER.search(head)
        name = found.group(1).decode() if found else f"unidentified-{uuid.uuid4()}"
        aside = self.folder / f".{name}.part"
        aside.write_bytes(content)
        os.replace(aside, self.folder / f"{name}.eml")
        return "250 2.0.0 kept in the local mailbox"


@contextmanager
def local_mailbox(folder: Path) -> Iterator[str]:
    """Serve SMTP on a free loopback port; yields the ``smtp://`` URL to send to."""
    folder.mkdir(parents=True, exist_ok=True)
    port = _free_port()
    controller = Controller(MailboxHandler(folder), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield f"smtp://127.0.0.1:{port}"
    finally:
        controller.stop()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
