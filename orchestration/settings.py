"""Settings from the environment (DESIGN §3), read once into one typed object."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

EMAIL_SENDERS = ("smtp", "ses", "file")
SMS_SENDERS = ("sns", "file")
DEFAULT_FROM_EMAIL = "touchpoint <hello@touchpoint.example>"


@dataclass(frozen=True)
class Settings:
    home: Path
    database_url: str | None
    landing: str
    crm_url: str | None
    campaigns: Path
    max_per_week: int = 3
    email_sender: str = "smtp"
    sms_sender: str = "file"
    # Unset: the local mailbox server (DESIGN §3), which keeps each mail under home/mailbox.
    smtp_url: str | None = field(default=None, repr=False)  # may hold a password
    from_email: str = DEFAULT_FROM_EMAIL
    tracking_url: str | None = None
    secret: str | None = field(default=None, repr=False)
    send_rate: float | None = None
    ses_configuration_set: str | None = None
    # SQS queue the SES configuration set's events arrive on (responses/ses_events drains it).
    events_queue_url: str | None = None
    sms_max_segments: int = 3

    @property
    def uses_embedded_postgres(self) -> bool:
        return self.database_url is None

    @property
    def dagster_home(self) -> Path:
        return self.home / "dagster"

    @property
    def embedded_pg_dir(self) -> Path:
        return self.home / "pg"

    @property
    def mailbox_dir(self) -> Path:
        """Where the local mailbox server keeps every mail it receives, one ``.eml`` each."""
        return self.home / "mailbox"

    @property
    def reports_dir(self) -> Path:
        """Where the report assets write their HTML (``campaign_performance.html``)."""
        return self.home / "reports"

    @property
    def file_outbox_dir(self) -> Path:
        """Where the ``file`` senders write (``TOUCHPOINT_EMAIL_SENDER`` / ``_SMS_SENDER``)."""
        return self.home / "outbox"


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


def _choice(name: str, choices: tuple[str, ...], default: str) -> str:
    value = os.environ.get(name, "").strip().lower() or default
    if value not in choices:
        raise ValueError(f"{name} must be one of {', '.join(choices)}, got {value!r}")
    return value


def _positive_float(name: str) -> float | None:
    text = os.environ.get(name, "").strip()
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        value = 0.0
    if not value > 0 or value == float("inf"):
        raise ValueError(f"{name} must be a number of messages a second above 0, got {text!r}")
    return value


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
        email_sender=_choice("TOUCHPOINT_EMAIL_SENDER", EMAIL_SENDERS, "smtp"),
        sms_sender=_choice("TOUCHPOINT_SMS_SENDER", SMS_SENDERS, "file"),
        smtp_url=_optional("TOUCHPOINT_SMTP_URL"),
        from_email=_optional("TOUCHPOINT_FROM_EMAIL") or DEFAULT_FROM_EMAIL,
        tracking_url=_optional("TOUCHPOINT_TRACKING_URL"),
        secret=_optional("TOUCHPOINT_SECRET"),
        send_rate=_positive_float("TOUCHPOINT_SEND_RATE"),
        ses_configuration_set=_optional("TOUCHPOINT_SES_CONFIGURATION_SET"),
        events_queue_url=_optional("TOUCHPOINT_EVENTS_QUEUE_URL"),
        sms_max_segments=_positive_int("TOUCHPOINT_SMS_MAX_SEGMENTS", 3),
    )
