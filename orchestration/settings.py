"""Settings from the environment, read once into one typed object.

Paths left unset default to places in the project's checkout (found from this file, not from
the current directory), so ``touchpoint`` works from any folder: ``TOUCHPOINT_HOME`` is
``<project>/.touchpoint``, ``TOUCHPOINT_CAMPAIGNS`` is ``<project>/campaigns``,
``TOUCHPOINT_JOURNEYS`` is ``<project>/journeys`` and ``TOUCHPOINT_LANDING`` is
``<project>/data/landing``. A relative path given in the environment
is relative to the current directory, like any path typed on a command line. pydantic-settings
reads the variables; the validators below keep each one's rule and name it when it is broken.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any

from pydantic import (
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from senders.sms_composition import DEFAULT_MAX_SEGMENTS

EMAIL_SENDERS = ("smtp", "ses", "file")
SMS_SENDERS = ("sns", "file")
DEFAULT_FROM_EMAIL = "touchpoint <hello@touchpoint.example>"
PROJECT_ROOT = Path(__file__).resolve().parent.parent
ENV_PREFIX = "TOUCHPOINT_"


class Settings(BaseSettings):
    """Every ``TOUCHPOINT_<FIELD>`` variable; blank counts as unset, so the default holds."""

    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, frozen=True, extra="ignore")

    home: Path = PROJECT_ROOT / ".touchpoint"
    database_url: str | None = None
    landing: str = str(PROJECT_ROOT / "data" / "landing")
    crm_url: str | None = None
    campaigns: Path = PROJECT_ROOT / "campaigns"
    journeys: Path = PROJECT_ROOT / "journeys"
    max_per_week: int = 3
    email_sender: str = "smtp"
    sms_sender: str = "file"
    # Unset: the local mailbox server, which keeps each mail under home/mailbox.
    smtp_url: str | None = Field(default=None, repr=False)  # may hold a password
    from_email: str = DEFAULT_FROM_EMAIL
    tracking_url: str | None = None
    secret: str | None = Field(default=None, repr=False)
    send_rate: float | None = None
    ses_configuration_set: str | None = None
    # SQS queue the SES configuration set's events arrive on (responses/ses_events drains it).
    events_queue_url: str | None = None
    # SNS topics the tracking service accepts messages from (inbound SMS, SES events); read as
    # ARNs separated by commas or spaces, not as JSON.
    sns_topic_arns: Annotated[tuple[str, ...], NoDecode] = ()
    sms_max_segments: int = DEFAULT_MAX_SEGMENTS

    @model_validator(mode="before")
    @classmethod
    def _blank_is_unset(cls, values: Any) -> Any:
        """Surrounding spaces do not count, and a variable set to nothing takes the default."""
        if not isinstance(values, dict):
            return values
        stripped = {k: v.strip() if isinstance(v, str) else v for k, v in values.items()}
        return {k: v for k, v in stripped.items() if v != ""}

    @field_validator("home", "campaigns", "journeys", mode="after")
    @classmethod
    def _absolute_path(cls, path: Path) -> Path:
        """Relative to the current directory, like any path typed on a command line."""
        return path.resolve()

    @field_validator("landing", mode="after")
    @classmethod
    def _landing_location(cls, location: str) -> str:
        """An ``s3://`` prefix as given; anything else a local folder, made absolute."""
        return location if location.startswith("s3://") else str(Path(location).resolve())

    @field_validator("max_per_week", "sms_max_segments", mode="before")
    @classmethod
    def _whole_number_of_at_least_one(cls, value: Any, info: ValidationInfo) -> Any:
        text = str(value)
        if not text.isdigit() or int(text) < 1:
            raise ValueError(
                f"{_variable(info)} must be a whole number of at least 1, got {text!r}"
            )
        return int(text)

    @field_validator("email_sender", "sms_sender", mode="before")
    @classmethod
    def _one_of_the_senders(cls, value: Any, info: ValidationInfo) -> str:
        choices = EMAIL_SENDERS if info.field_name == "email_sender" else SMS_SENDERS
        chosen = str(value).lower()
        if chosen not in choices:
            raise ValueError(
                f"{_variable(info)} must be one of {', '.join(choices)}, got {chosen!r}"
            )
        return chosen

    @field_validator("send_rate", mode="before")
    @classmethod
    def _messages_a_second(cls, value: Any, info: ValidationInfo) -> float | None:
        if value is None:  # unset: no limit
            return None
        try:
            rate = float(value)
        except (TypeError, ValueError):
            rate = 0.0
        if not rate > 0 or math.isinf(rate):
            raise ValueError(
                f"{_variable(info)} must be a number of messages a second above 0, got {value!r}"
            )
        return rate

    @field_validator("sns_topic_arns", mode="before")
    @classmethod
    def _topic_arns(cls, value: Any, info: ValidationInfo) -> tuple[str, ...]:
        """Topic ARNs: ``arn:aws:sns:<region>:<account>:<name>``."""
        arns = tuple(value.replace(",", " ").split()) if isinstance(value, str) else tuple(value)
        for arn in arns:
            parts = arn.split(":")
            if len(parts) != 6 or parts[0] != "arn" or parts[2] != "sns" or not all(parts[3:]):
                raise ValueError(
                    f"{_variable(info)}: {arn!r} is not an SNS topic ARN (arn:aws:sns:…:…:…)"
                )
        return arns

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


def path_environment(settings: Settings) -> dict[str, str]:
    """The path settings as absolute values, for a child process that runs in another folder."""
    return {
        "TOUCHPOINT_HOME": str(settings.home),
        "TOUCHPOINT_CAMPAIGNS": str(settings.campaigns),
        "TOUCHPOINT_JOURNEYS": str(settings.journeys),
        "TOUCHPOINT_LANDING": settings.landing,
    }


def load_settings() -> Settings:
    """Read every TOUCHPOINT_* setting (paths as the module docstring says).

    A bad value is a ValueError naming the variable and the value, one line per bad variable.
    """
    return _validated(Settings)


def settings_from(values: Mapping[str, str]) -> Settings:
    """Settings read from ``values`` (a field's name → its variable's text) by the same rules,
    the environment aside: a field not given takes its default. How a resource reads back the
    settings it was configured with (orchestration.resources).

    A bad value is a ValueError naming the variable and the value, as in ``load_settings``.
    """
    return _validated(_GivenSettings, **values)


class _GivenSettings(Settings):
    """Settings from the values given only, never from the environment."""

    @classmethod
    def settings_customise_sources(cls, settings_cls, init_settings, **_environment_sources):
        return (init_settings,)


def _validated(settings_class: type[Settings], **values: str) -> Settings:
    try:
        return settings_class(**values)
    except ValidationError as error:
        raise ValueError("\n".join(_problem(problem) for problem in error.errors())) from None


def _variable(info: ValidationInfo) -> str:
    return f"{ENV_PREFIX}{info.field_name.upper()}"


def _problem(problem: dict) -> str:
    """Our validators' own words; pydantic's, prefixed with the variable, for the rest."""
    if "error" in problem.get("ctx", {}):
        return str(problem["ctx"]["error"])
    variable = ENV_PREFIX + str(problem["loc"][0]).upper()
    return f"{variable}: {problem['msg']}, got {problem.get('input')!r}"
