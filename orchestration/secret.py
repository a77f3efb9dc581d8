"""The HMAC key for tracking links and tokens (``TOUCHPOINT_SECRET``).

Set in the environment, it is used as is. Unset, touchpoint makes one the first time it is
needed and keeps it in ``$TOUCHPOINT_HOME/secret`` (readable by its owner only), so the links of
every run and the tracking service that checks them agree without anyone typing a key. It is
never logged and never leaves that file.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from orchestration.settings import Settings

SECRET_FILE = "secret"


def tracking_secret(settings: Settings) -> str:
    if settings.secret:
        return settings.secret
    path = settings.home / SECRET_FILE
    if not path.exists():
        _create(path)
    value = path.read_text(encoding="ascii").strip()
    if not value:
        raise ValueError(f"{path} is empty: delete it for a new secret, or set TOUCHPOINT_SECRET")
    return value


def _create(path: Path) -> None:
    """Written aside then linked into place, so two processes starting together agree."""
    path.parent.mkdir(parents=True, exist_ok=True)
    aside = path.with_name(f".{SECRET_FILE}.{os.getpid()}")
    descriptor = os.open(aside, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="ascii") as file:
        file.write(secrets.token_urlsafe(32) + "\n")
    try:
        os.link(aside, path)  # fails if another process made it first: theirs wins
    except FileExistsError:
        pass
    finally:
        aside.unlink()
