"""The steps a journey is made of, as `journeys/<name>.yml` writes them (docs/journeys.md).

Each step has an `id` and exactly one kind:

- `message` — send on a channel (`email`, `sms`, `best`), with an optional voucher and an
  optional experiment whose variants change the channel, the voucher or the templates;
- `wait` — `for` a span, `until` a date of the entry's context (with an `offset`), the
  `first_of` several context dates still to come, and/or to the next local time of day `at`;
- `branch` — `if` a reaction to an earlier message step (within a span), an attribute of the
  customer or a context `date` that has come, `then` one step, `else` another;
- `split` — A/B/n: each customer goes one way, by a deterministic hash, in proportion to the
  weights;
- `exit` — the enrolment ends here, with a reason.

A `message` or `wait` goes on to `next`, by default the step written after it; after the last
step the enrolment is complete.
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    StrictBool,
    StrictFloat,
    StrictInt,
    StrictStr,
    model_validator,
)

from models.calendar_spans import CalendarSpan, parse_span
from models.campaigns import ConversionSpec, Duration, LocalTime, SendWindow, VoucherSpec

NAME = re.compile(r"^[a-z][a-z0-9_]*$")

REACTIONS = ("delivered", "opened", "clicked", "replied", "converted", "scored")
"""What a branch can wait for from an earlier message: `scored` is a survey reply's score."""


def _name(value: object) -> object:
    if not (isinstance(value, str) and NAME.match(value)):
        raise ValueError("expected lowercase letters, digits and _, starting with a letter")
    return value


def _span(value: object) -> object:
    if isinstance(value, CalendarSpan):
        return value
    if not isinstance(value, str):
        raise ValueError("expected a span such as 7d, 24h, 2w, 6mo or 3y")
    return parse_span(value)


Name = Annotated[str, BeforeValidator(_name)]
Span = Annotated[
    CalendarSpan, BeforeValidator(_span), PlainSerializer(str, return_type=str, when_used="json")
]
Scalar = StrictStr | StrictBool | StrictInt | StrictFloat


class StrictSpec(BaseModel):
    """Frozen, and no field the spec does not define (a typo is an error, not a default)."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


def _one_of(spec: BaseModel, fields: tuple[str, ...]) -> None:
    given = [field for field in fields if getattr(spec, field) is not None]
    if len(given) != 1:
        got = f"got {', '.join(given)}" if given else "got none"
        raise ValueError(f"expected exactly one of {', '.join(fields)} ({got})")


class Variant(StrictSpec):
    """One arm of an experiment: its share of the traffic and what it changes."""

    weight: Annotated[StrictInt, Field(ge=1)]
    channel: Literal["email", "sms", "best"] | None = None
    voucher: VoucherSpec | None = None


class Experiment(StrictSpec):
    """Variants of one message step, measured against the `control` variant.

    Once every variant has `min_sample` recipients and the result is significant, `winner: auto`
    sends the rest of the traffic to the winner (and records that decision); `manual` only
    reports.
    """

    control: Name
    variants: Annotated[dict[Name, Variant], Field(min_length=2)]
    min_sample: Annotated[StrictInt, Field(ge=1)] = 100
    winner: Literal["manual", "auto"] = "manual"

    @model_validator(mode="after")
    def _control_is_a_variant(self) -> Experiment:
        if self.control not in self.variants:
            raise ValueError(
                f"control: got {self.control!r}; expected one of the variants: "
                f"{', '.join(self.variants)}"
            )
        return self


class Message(StrictSpec):
    """One message to the customer, judged like a campaign's.

    `campaign` is the name its messages are counted and reported under (its
    `X-Touchpoint-Campaign`), by default `<journey>.<step>`: a journey that takes over a
    campaign keeps the campaign's name, so its reports and holdout group carry on. `expiry`
    counts from the moment the customer reached the step: a message not sendable by then is
    recorded `expired` and the customer goes on. `cooldown` is the campaign cooldown;
    `send_window`, `conversion`, `priority` and `marketing`, when given, replace the journey's
    for this step (a service reminder inside a promotional cycle is priority 100, not
    marketing); `holdout`, when given, holds this step out on its own (its campaign's group,
    at that fraction) instead of with the journey's group — a step measured on its own, like a
    renewal prompt.
    """

    channel: Literal["email", "sms", "best"]
    campaign: Name | None = None
    voucher: VoucherSpec | None = None
    experiment: Experiment | None = None
    expiry: Span = CalendarSpan(days=7)
    cooldown: Duration = timedelta(0)
    send_window: SendWindow | None = None  # default: the journey's
    holdout: Annotated[float, Field(ge=0, lt=1, strict=True)] | None = None
    conversion: ConversionSpec | None = None  # default: the journey's
    priority: StrictInt | None = None  # default: the journey's
    marketing: StrictBool | None = None  # default: the journey's

    def channels(self) -> set[str]:
        """Every channel a recipient of this step may be sent on, across variants."""
        variants = self.experiment.variants.values() if self.experiment else ()
        return {self.channel, *(variant.channel for variant in variants if variant.channel)}


class ContextDate(StrictSpec):
    """A date (or local date-time) of the entry's context, shifted by `offset`."""

    until: Name
    offset: Span | None = None


class Wait(StrictSpec):
    """Until the latest of what is given: `for` after arriving here, `until` a context date
    shifted by `offset`, the first of the `first_of` dates to come after arriving here; then,
    with `at`, on to the next local `at` o'clock.

    A date of `until` already past when the customer arrives ends the wait at once (a late
    enrolment catches up). A date of `first_of` counts only if it comes after the arrival, and
    while none does the customer waits: with the entry's context `latest`, until the entry
    model moves a date later (the CRM records a service, so the next one is due). That is what
    lets a loop wait for the next date rather than spin on the last one.
    """

    for_: Annotated[Span | None, Field(alias="for")] = None
    until: Name | None = None
    offset: Span | None = None
    first_of: Annotated[tuple[ContextDate, ...] | None, Field(min_length=1)] = None
    at: LocalTime | None = None

    @model_validator(mode="after")
    def _something_to_wait_for(self) -> Wait:
        if self.offset is not None and self.until is None:
            raise ValueError("offset: expected only together with until")
        if self.first_of is not None and self.until is not None:
            raise ValueError("expected until or first_of, not both")
        if all(part is None for part in (self.for_, self.until, self.first_of, self.at)):
            raise ValueError(
                "expected for (a span), until (a context date), first_of (context dates) "
                "or at (HH:MM)"
            )
        if self.for_ is not None and self.for_.is_zero and self.at is None:
            raise ValueError("for: expected a span longer than zero")
        return self

    @property
    def takes_time(self) -> bool:
        """Whether the wait always ends after the customer arrived (`until` may be over)."""
        return self.for_ is not None or self.at is not None or self.first_of is not None


class CustomerTest(StrictSpec):
    """An attribute of the customer in `dim_customers`, compared as the datamart holds it."""

    column: Name
    equals: Scalar | None = None
    in_: Annotated[list[Scalar] | None, Field(alias="in", min_length=1)] = None
    at_least: StrictInt | StrictFloat | None = None
    at_most: StrictInt | StrictFloat | None = None
    is_set: StrictBool | None = None

    @model_validator(mode="after")
    def _one_comparison(self) -> CustomerTest:
        given = [
            name
            for name in ("equals", "in_", "at_least", "at_most", "is_set")
            if getattr(self, name) is not None
        ]
        if not given or (given != ["at_least", "at_most"] and len(given) > 1):
            raise ValueError("expected one of equals, in, is_set, or at_least and/or at_most")
        return self


class Condition(StrictSpec):
    """What a branch asks: a `reaction` to an earlier message `step` (within `within` of its
    send; `scored` between `at_least` and `at_most`), a `customer` attribute, or whether a
    context `date` (shifted by `offset`) had come when the customer reached the branch."""

    reaction: Literal[REACTIONS] | None = None  # type: ignore[valid-type]
    step: Name | None = None
    within: Span | None = None
    at_least: Annotated[StrictInt, Field(ge=0, le=10)] | None = None
    at_most: Annotated[StrictInt, Field(ge=0, le=10)] | None = None
    customer: CustomerTest | None = None
    date: Name | None = None
    offset: Span | None = None

    @model_validator(mode="after")
    def _reaction_customer_or_date(self) -> Condition:
        _one_of(self, ("reaction", "customer", "date"))
        if self.reaction is not None and self.step is None:
            raise ValueError("step: missing; expected the message step the reaction answers")
        if self.reaction is None and (self.step or self.within):
            raise ValueError("expected step and within only with a reaction")
        if self.offset is not None and self.date is None:
            raise ValueError("offset: expected only together with date")
        scored = self.reaction == "scored"
        if not scored and (self.at_least is not None or self.at_most is not None):
            raise ValueError("expected at_least / at_most only with reaction: scored")
        if scored and self.at_least is None and self.at_most is None:
            raise ValueError("expected at_least and/or at_most (0-10) with reaction: scored")
        return self


class Branch(StrictSpec):
    if_: Annotated[Condition, Field(alias="if")]
    then: Name
    else_: Annotated[Name, Field(alias="else")]


class SplitArm(StrictSpec):
    weight: Annotated[StrictInt, Field(ge=1)]
    next: Name


class Split(StrictSpec):
    arms: Annotated[dict[Name, SplitArm], Field(min_length=2)]


class Exit(StrictSpec):
    reason: Name = "completed"


KINDS = ("message", "wait", "branch", "split", "exit")


class Step(StrictSpec):
    id: Name
    message: Message | None = None
    wait: Wait | None = None
    branch: Branch | None = None
    split: Split | None = None
    exit: Exit | None = None
    next: Name | None = None

    @model_validator(mode="after")
    def _one_kind(self) -> Step:
        _one_of(self, KINDS)
        if self.next is not None and self.kind not in ("message", "wait"):
            raise ValueError(f"next: expected only on message and wait steps, not on {self.kind}")
        return self

    @property
    def kind(self) -> str:
        return next(kind for kind in KINDS if getattr(self, kind) is not None)

    def successors(self, following: str | None) -> list[str]:
        """The steps this one can lead to; `following` is the step written after it."""
        if self.branch:
            return [self.branch.then, self.branch.else_]
        if self.split:
            return [arm.next for arm in self.split.arms.values()]
        if self.exit:
            return []
        target = self.next or following
        return [target] if target else []
