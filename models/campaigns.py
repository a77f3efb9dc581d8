"""Campaigns as code: the spec of one `campaigns/<name>.yml` and its loader
(docs/architecture.md, Campaigns).

A campaign that is wrong in any way — bad YAML, a wrong field, a model the dbt project does not
define, a missing template — stops the load with one `CampaignError` naming the file, the field,
the value and what was expected, so it never reaches a send.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from datetime import time, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    StrictBool,
    StrictInt,
    ValidationError,
    ValidationInfo,
    field_validator,
)

from models.campaign_errors import CampaignError, describe_validation_error
from models.campaign_templates import (
    campaign_templates_folder,
    is_locale_tag,
    parts_for,
    template_folder_problems,
)
from models.campaign_yaml import name_is_the_file_stem, read_campaign_yaml
from models.durations import DURATION_EXPECTED, parse_duration

__all__ = [
    "CampaignError",
    "CampaignSpec",
    "ConversionSpec",
    "SendWindow",
    "VoucherSpec",
    "load_campaign",
    "load_campaigns",
]

_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
_CLOCK = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")
_CURRENCY = re.compile(r"^[A-Z]{3}$")


def _local_time(value: object) -> object:
    if isinstance(value, time):
        return value
    match = _CLOCK.match(value) if isinstance(value, str) else None
    if not match:
        raise ValueError("expected a local time HH:MM between 00:00 and 23:59")
    return time(int(match[1]), int(match[2]))


def _duration(value: object) -> object:
    if isinstance(value, timedelta):
        return value
    if not isinstance(value, str):
        raise ValueError(f"expected {DURATION_EXPECTED}")
    return parse_duration(value)


def _locale(value: object) -> object:
    if not (isinstance(value, str) and is_locale_tag(value)):
        raise ValueError("expected a locale tag such as en, fr or fr-BE")
    return value


# Written back (JSON) as the YAML writes them, so a stored spec reads back as it was loaded.
LocalTime = Annotated[
    time,
    BeforeValidator(_local_time),
    PlainSerializer(lambda t: t.strftime("%H:%M"), return_type=str, when_used="json"),
]
Duration = Annotated[
    timedelta,
    BeforeValidator(_duration),
    PlainSerializer(
        lambda d: f"{int(d.total_seconds() // 60)}m", return_type=str, when_used="json"
    ),
]
LocaleTag = Annotated[str, BeforeValidator(_locale)]


class _Spec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SendWindow(_Spec):
    """The recipient-local hours a message may go out; outside them it waits."""

    start: LocalTime = time(9)
    end: LocalTime = time(20)

    @field_validator("end")
    @classmethod
    def _after_start(cls, end: time, info: ValidationInfo) -> time:
        start = info.data.get("start")
        if start is not None and end <= start:
            raise ValueError(f"expected a time after start {start:%H:%M} (windows stay in one day)")
        return end


class VoucherSpec(_Spec):
    """What each message hands out: a percentage or an amount off, valid for some days."""

    kind: Literal["percent", "amount"]
    value: Annotated[Decimal, Field(gt=0)]
    currency: str | None = Field(default=None, validate_default=True)
    valid_days: Annotated[StrictInt, Field(ge=1)]

    @field_validator("value")
    @classmethod
    def _percent_at_most_100(cls, value: Decimal, info: ValidationInfo) -> Decimal:
        if info.data.get("kind") == "percent" and value > 100:
            raise ValueError("expected a percentage between 0 and 100")
        return value

    @field_validator("currency")
    @classmethod
    def _currency_for_amounts(cls, currency: str | None, info: ValidationInfo) -> str | None:
        kind = info.data.get("kind")
        if kind == "amount" and not (isinstance(currency, str) and _CURRENCY.match(currency)):
            raise ValueError("expected an ISO 4217 currency code such as EUR for an amount voucher")
        if kind == "percent" and currency is not None:
            raise ValueError("expected no currency for a percent voucher")
        return currency


class ConversionSpec(_Spec):
    """What counts as the campaign working: an order within this many days of the message."""

    goal: Literal["order"] = "order"
    window_days: Annotated[StrictInt, Field(ge=1, le=365)]


class CampaignSpec(_Spec):
    """One campaign: who (a trigger or a segment entry), how, when, and what it offers."""

    name: str
    description: Annotated[str, Field(min_length=1)]
    trigger: str | None = None
    segment: str | None = Field(default=None, validate_default=True)
    channel: Literal["email", "sms", "best"]
    priority: StrictInt
    send_window: SendWindow = SendWindow()
    cooldown: Duration = timedelta(0)
    expiry: Duration | None = None
    voucher: VoucherSpec | None = None
    holdout: Annotated[float, Field(ge=0, lt=1, strict=True)] = 0.0
    conversion: ConversionSpec
    default_locale: LocaleTag = "en"
    marketing: StrictBool = True

    @field_validator("name")
    @classmethod
    def _name_is_the_file_stem(cls, name: str, info: ValidationInfo) -> str:
        if not _NAME.match(name):
            raise ValueError("expected lowercase letters, digits and _ (a file-name stem)")
        return name_is_the_file_stem(name, info)

    @field_validator("trigger")
    @classmethod
    def _trigger_model(cls, trigger: str | None) -> str | None:
        if trigger is not None and not (_NAME.match(trigger) and trigger.startswith("trg_")):
            raise ValueError("expected a trigger model name trg_<name>")
        return trigger

    @field_validator("segment")
    @classmethod
    def _segment_model(cls, segment: str | None, info: ValidationInfo) -> str | None:
        if segment is not None and not (_NAME.match(segment) and segment.startswith("seg_")):
            raise ValueError("expected a segment model name seg_<name>")
        if "trigger" not in info.data:  # the trigger has its own error already
            return segment
        if (info.data["trigger"] is None) == (segment is None):
            raise ValueError(
                "expected exactly one of trigger (a trg_* model) or segment (a seg_* model)"
            )
        return segment

    @property
    def source_model(self) -> str:
        """The dbt model whose rows are this campaign's occurrences."""
        return self.trigger or self.segment or ""

    @property
    def source_field(self) -> str:
        return "trigger" if self.trigger else "segment"

    @property
    def template_parts(self) -> tuple[str, ...]:
        return parts_for(self.channel)


def load_campaigns(folder: Path, known_models: Collection[str]) -> list[CampaignSpec]:
    """Every campaign in `folder`, checked against the dbt models the caller knows, by name.

    Every problem in every file is reported at once, in one CampaignError.
    """
    if not folder.is_dir():
        raise CampaignError(f"{folder}: campaigns folder not found")
    problems = [
        f"{path}: expected the extension .yml (rename it to {path.stem}.yml)"
        for path in sorted(folder.glob("*.yaml"))
    ]
    specs = []
    for path in sorted(folder.glob("*.yml")):
        try:
            specs.append(load_campaign(path, known_models))
        except CampaignError as error:
            problems.append(str(error))
    if problems:
        raise CampaignError("\n".join(problems))
    return sorted(specs, key=lambda spec: spec.name)


def load_campaign(path: Path, known_models: Collection[str]) -> CampaignSpec:
    """One campaign file, its model and templates checked (templates beside it, in the folder)."""
    data = read_campaign_yaml(path)
    try:
        spec = CampaignSpec.model_validate(data, context={"file_stem": path.stem})
    except ValidationError as error:
        raise CampaignError(describe_validation_error(path, CampaignSpec, error)) from None
    problems = [*_model_problems(spec, known_models), *_template_problems(spec, path.parent)]
    if problems:
        raise CampaignError("\n".join(f"{path}: {problem}" for problem in problems))
    return spec


def _model_problems(spec: CampaignSpec, known_models: Collection[str]) -> list[str]:
    if spec.source_model in known_models:
        return []
    prefix = spec.source_model[:4]
    candidates = ", ".join(sorted(m for m in known_models if m.startswith(prefix))) or "none"
    return [
        f"{spec.source_field}: got {spec.source_model!r}; expected a model the dbt project "
        f"defines ({prefix}* models: {candidates})"
    ]


def _template_problems(spec: CampaignSpec, campaigns_dir: Path) -> list[str]:
    folder = campaign_templates_folder(campaigns_dir, spec.name)
    return template_folder_problems(folder, spec.default_locale, spec.channel)
