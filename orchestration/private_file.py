"""Files only their owner may read (a generated key, a generated password), made race-free."""

from __future__ import annotations

import os
import uuid
from pathlib import Path


def create_private_file(path: Path, content: str) -> None:
    """Write ``content`` to ``path`` (mode 0600) unless it exists. Written aside then linked into
    place, so when two processes start together one file wins whole and both read it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    aside = path.with_name(f".{path.name}.{os.getpid()}.{uuid.uuid4().hex[:8]}")
    descriptor = os.open(aside, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w", encoding="ascii") as file:
        file.write(content)
    try:
        os.link(aside, path)  # fails if another process made it first: theirs wins
    except FileExistsError:
        pass
    finally:
        aside.unlink()
