"""The HMAC key for tracking links and tokens (``TOUCHPOINT_SECRET``).

Set in the environment, it is used as is. Unset, touchpoint makes one the first time it is
needed and keeps it in ``$TOUCHPOINT_HOME/secret`` (readable by its owner only), so the links of
every run and the tracking service that checks them agree without anyone typing a key. It is
never logged and never leaves that file.
"""

from __future__ import annotations

import secrets

from orchestration.private_file import create_private_file
from orchestration.settings import Settings

SECRET_FILE = "secret"


def tracking_secret(settings: Settings) -> str:
    if settings.secret:
        return settings.secret
    path = settings.home / SECRET_FILE
    create_private_file(path, secrets.token_urlsafe(32) + "\n")
    value = path.read_text(encoding="ascii").strip()
    if not value:
        raise ValueError(f"{path} is empty: delete it for a new secret, or set TOUCHPOINT_SECRET")
    return value
