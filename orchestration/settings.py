"""Settings from the environment, read once into one typed object.

Paths left unset default to places in the project's checkout (found from this file, not from
the current directory), so ``touchpoint`` works from any folder: ``TOUCHPOINT_HOME`` is
``<project>/.touchpoint``, ``TOUCHPOINT_CAMPAIGNS`` is ``<project>/campaigns`` and
``TOUCHPOINT_LANDING`` is ``<project>/data/landing``. A relative path given in the environment
is relative to the current directory, like any path typed on a command line.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from senders.sms_composition import DEFAULT_MAX_SEGMENTS

EMAIL_SENDERS = ("smtp", "ses", "file")
SMS_SENDERS = ("sns", "file")
DEFAULT_FROM_EMAIL = "touchpoint <hello@touchpoint.example>"
PROJECT_ROOT = Path(__file__).resolve().parent.parent


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
    # Unset: the local mailbox server, which keeps each mail under home/mailbox.
    smtp_url: str | None = field(default=None, repr=False)  # may hold a password
    from_email: str = DEFAULT_FROM_EMAIL
    tracking_url: str | None = None
    secret: str | None = field(default=None, repr=False)
    send_rate: float | None = None
    ses_configuration_set: str | None = None
    # SQS queue the SES configuration set's events arrive on (responses/ses_events drains it).
    events_queue_url: str | None = None
    # SNS topics the tracking service accepts messages from (inbound SMS, SES events).
    sns_topic_arns: tuple[str, ...] = ()
    sms_max_segments: int = DEFAULT_MAX_SEGMENTS

    @property
    def uses_embedded_postgres(self) -> bool:
        return self.database_url is None

    @property
    def dagster_home(self) -> Path:
        return self.home / "dagster"

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


def _sns_topic_arns(name: str) -> tuple[str, ...]:
    """Topic ARNs separated by commas or spaces: ``arn:aws:sns:<region>:<account>:<name>``."""
    arns = tuple(os.environ.get(name, "").replace(",", " ").split())
    for arn in arns:
        parts = arn.split(":")
        if len(parts) != 6 or parts[0] != "arn" or parts[2] != "sns" or not all(parts[3:]):
            raise ValueError(f"{name}: {arn!r} is not an SNS topic ARN (arn:aws:sns:…:…:…)")
    return arns


def _path(name: str, default: str) -> Path:
    return Path(_optional(name) or PROJECT_ROOT / default).resolve()


def _landing() -> str:
    location = _optional("TOUCHPOINT_LANDING")
    if location and location.startswith("s3://"):
        return location
    return str(_path("TOUCHPOINT_LANDING", "data/landing"))


def path_environment(settings: Settings) -> dict[str, str]:
    """The path settings as absolute values, for a child process that runs in another folder."""
    return {
        "TOUCHPOINT_HOME": str(settings.home),
        "TOUCHPOINT_CAMPAIGNS": str(settings.campaigns),
        "TOUCHPOINT_LANDING": settings.landing,
    }


def load_settings() -> Settings:
    """Read every TOUCHPOINT_* setting (paths as the module docstring says)."""
    return Settings(
        home=_path("TOUCHPOINT_HOME", ".touchpoint"),
        database_url=_optional("TOUCHPOINT_DATABASE_URL"),
        landing=_landing(),
        crm_url=_optional("TOUCHPOINT_CRM_URL"),
        campaigns=_path("TOUCHPOINT_CAMPAIGNS", "campaigns"),
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
        sns_topic_arns=_sns_topic_arns("TOUCHPOINT_SNS_TOPIC_ARNS"),
        sms_max_segments=_positive_int("TOUCHPOINT_SMS_MAX_SEGMENTS", DEFAULT_MAX_SEGMENTS),
    )
