"""Settings from the environment (DESIGN §3), read once into one typed object."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Settings:
    home: Path
    database_url: str | None
    landing: str
    crm_url: str | None
    campaigns: Path
    max_per_week: int = 3

    @property
    def uses_embedded_postgres(self) -> bool:
        return self.database_url is None

    @property
    def dagster_home(self) -> Path:
        return self.home / "dagster"

    @property
    def embedded_pg_dir(self) -> Path:
        return self.home / "pg"


def _optional(name: str) -> str | None:
    value = os.environ.get(name, "").strip()
    return value or None


def _positive_int(name: str, default: int) -> int:
    text = os.environ.get(name, "").strip()
    if not text:
        return default
    if not text.isdigit() or int(text) < 1:
        raise ValueError(f"{name} must be a whole number of at least 1, got {text!r}")
    return int(text)


def load_settings() -> Settings:
    """Read every TOUCHPOINT_* setting; relative paths resolve against the working directory."""
    home = Path(os.environ.get("TOUCHPOINT_HOME", ".touchpoint")).resolve()
    return Settings(
        home=home,
        database_url=_optional("TOUCHPOINT_DATABASE_URL"),
        landing=os.environ.get("TOUCHPOINT_LANDING", "data/landing"),
        crm_url=_optional("TOUCHPOINT_CRM_URL"),
        campaigns=Path(os.environ.get("TOUCHPOINT_CAMPAIGNS", "campaigns")).resolve(),
        max_per_week=_positive_int("TOUCHPOINT_MAX_PER_WEEK", 3),
    )
