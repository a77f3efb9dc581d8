"""Journeys as code: the spec of one `journeys/<name>.yml` and its loader (docs/journeys.md).

A journey is a campaign with several steps: who enters (a `trg_*` occurrence or a `seg_*`
entry), the policy its messages share with campaigns (priority, send window, holdout,
conversion, locale, marketing), when an enrolment ends early (`exit_when`) or at the latest
(`expire_after`), and the steps (models/journey_steps.py).

Loading checks everything a run would trip on, and names the file, the step and the field: the
entry model and the customer attributes a branch reads must exist in the dbt project, every
step a step names must exist, every step must be reachable from the first, a branch must ask
about a message step that comes before it, every loop must hold a wait that always takes time
(`for`, `at` or `first_of`: a wait `until` a date may already be over, and a loop of such steps
would never stop), and each message step's templates must be there.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, StrictBool, StrictInt, ValidationError, ValidationInfo, field_validator

from models.calendar_spans import CalendarSpan
from models.campaign_errors import describe_validation_error
from models.campaign_templates import template_folder_problems
from models.campaign_yaml import name_is_the_file_stem, read_campaign_yaml
from models.campaigns import ConversionSpec, LocaleTag, SendWindow
from models.journey_steps import NAME, Name, Span, Step, StrictSpec

JOURNEY_TEMPLATES = "templates"
EXIT_GOALS = ("order", "voucher_redeemed", "unsubscribed", "left_segment", "entered_again")


class JourneyError(ValueError):
    """A journey that cannot be used; the message names file, step, field, value, expectation."""


class Entry(StrictSpec):
    """Who enters: the occurrences of a trigger, or the entries into a segment.

    `context` is the entry row's context the steps read (waits' dates, templates): as it was at
    entry (`at_entry`, the default), or as the entry model holds it at each run (`latest`), so a
    date the source moves after entry, such as the next service due once the CRM records a
    service, moves the waits on it. An entry row gone from the model leaves the last one read.
    """

    trigger: Name | None = None
    segment: Name | None = None
    context: Literal["at_entry", "latest"] = "at_entry"

    @field_validator("trigger")
    @classmethod
    def _trigger(cls, trigger: str | None) -> str | None:
        if trigger is not None and not trigger.startswith("trg_"):
            raise ValueError("expected a trigger model name trg_<name>")
        return trigger

    @field_validator("segment")
    @classmethod
    def _segment(cls, segment: str | None, info: ValidationInfo) -> str | None:
        if segment is not None and not segment.startswith("seg_"):
            raise ValueError("expected a segment model name seg_<name>")
        if "trigger" in info.data and (info.data["trigger"] is None) == (segment is None):
            raise ValueError("expected exactly one of trigger (a trg_* model) or segment (seg_*)")
        return segment

    @property
    def model(self) -> str:
        return self.trigger or self.segment or ""


class JourneySpec(StrictSpec):
    name: Name
    description: Annotated[str, Field(min_length=1)]
    entry: Entry
    re_entry: StrictBool = True
    priority: StrictInt
    send_window: SendWindow = SendWindow()
    holdout: Annotated[float, Field(ge=0, lt=1, strict=True)] = 0.0
    conversion: ConversionSpec
    default_locale: LocaleTag = "en"
    marketing: StrictBool = True
    exit_when: tuple[Literal[EXIT_GOALS], ...] = ("unsubscribed",)  # type: ignore[valid-type]
    expire_after: Span = CalendarSpan(months=12)
    move_in_flight: StrictBool = False
    steps: tuple[Step, ...] = ()

    @field_validator("name")
    @classmethod
    def _name_is_the_file_stem(cls, name: str, info: ValidationInfo) -> str:
        return name_is_the_file_stem(name, info)

    @field_validator("expire_after")
    @classmethod
    def _positive(cls, span: CalendarSpan) -> CalendarSpan:
        if min(span.months, span.days, span.minutes) < 0 or span.is_zero:
            raise ValueError("expected a span longer than zero")
        return span

    def step(self, step_id: str) -> Step:
        return next(step for step in self.steps if step.id == step_id)

    def campaign_of(self, step: Step) -> str:
        """The campaign a message step's messages count under."""
        assert step.message is not None, step.id
        return step.message.campaign or f"{self.name}.{step.id}"

    @property
    def message_steps(self) -> list[Step]:
        return [step for step in self.steps if step.message is not None]

    def holdout_of(self, step: Step) -> float:
        assert step.message is not None, step.id
        return self.holdout if step.message.holdout is None else step.message.holdout

    def conversion_of(self, step: Step) -> ConversionSpec:
        assert step.message is not None, step.id
        return step.message.conversion or self.conversion

    def priority_of(self, step: Step) -> int:
        assert step.message is not None, step.id
        return self.priority if step.message.priority is None else step.message.priority

    def marketing_of(self, step: Step) -> bool:
        assert step.message is not None, step.id
        return self.marketing if step.message.marketing is None else step.message.marketing

    @property
    def holdout_campaign(self) -> str:
        """The campaign whose holdout group the whole journey holds out (its first message's):
        one group for every step, the same as the campaign's when the journey took one over."""
        return self.campaign_of(self.message_steps[0]) if self.message_steps else self.name

    def successors(self, index: int) -> list[str]:
        following = self.steps[index + 1].id if index + 1 < len(self.steps) else None
        return self.steps[index].successors(following)

    @property
    def version(self) -> str:
        """A digest of everything that decides what happens (the description aside): editing
        the YAML that way makes a new version; customers in flight keep the one they entered."""
        decisive = self.model_dump(mode="json", exclude={"description"}, by_alias=True)
        canonical = json.dumps(decisive, sort_keys=True, default=str).encode()
        return hashlib.sha256(canonical).hexdigest()[:12]


@dataclass(frozen=True)
class DbtKnowledge:
    """What the loader checks journeys against: the dbt project's models, and the columns of
    `dim_customers` a branch may read."""

    models: Collection[str]
    customer_columns: Collection[str]


def load_journeys(folder: Path, dbt: DbtKnowledge) -> list[JourneySpec]:
    """Every journey in `folder`; every problem in every file at once, in one JourneyError."""
    if not folder.is_dir():
        raise JourneyError(f"{folder}: journeys folder not found")
    journeys, problems = [], []
    for path in sorted(folder.glob("*.y*ml")):
        try:
            journeys.append(load_journey(path, dbt))
        except JourneyError as error:
            problems.append(str(error))
    if problems:
        raise JourneyError("\n".join(problems))
    return journeys


def load_journey(path: Path, dbt: DbtKnowledge) -> JourneySpec:
    if path.suffix != ".yml":
        raise JourneyError(f"{path}: expected the extension .yml (rename it to {path.stem}.yml)")
    try:
        data = read_campaign_yaml(path)
    except ValueError as error:
        raise JourneyError(str(error)) from None
    raw_steps = data.pop("steps", None)
    problems, journey = _read_header(path, data)
    steps, step_problems = _read_steps(path, raw_steps)
    problems += step_problems
    if journey is not None and not problems:
        journey = journey.model_copy(update={"steps": tuple(steps)})
        problems = [
            *_graph_problems(journey),
            *_dbt_problems(journey, dbt),
            *_template_problems(journey, path.parent),
        ]
    if problems:
        raise JourneyError(
            "\n".join(p if p.startswith(f"{path}:") else f"{path}: {p}" for p in problems)
        )
    return journey


def _read_header(path: Path, data: dict) -> tuple[list[str], JourneySpec | None]:
    try:
        return [], JourneySpec.model_validate(data, context={"file_stem": path.stem})
    except ValidationError as error:
        return [describe_validation_error(path, JourneySpec, error)], None


def _read_steps(path: Path, raw_steps: object) -> tuple[list[Step], list[str]]:
    if not isinstance(raw_steps, list) or not raw_steps:
        return [], [
            "steps: expected a list of steps, each with an id and one of "
            "message, wait, branch, split, exit"
        ]
    steps, problems = [], []
    for index, raw in enumerate(raw_steps):
        label = raw.get("id") if isinstance(raw, dict) else None
        within = (
            f"steps[{label}]."
            if isinstance(label, str) and NAME.match(label)
            else f"steps[{index + 1}]."
        )
        try:
            steps.append(Step.model_validate(raw))
        except ValidationError as error:
            problems.append(describe_validation_error(path, Step, error, within))
    return steps, problems


def _graph_problems(journey: JourneySpec) -> list[str]:
    ids = [step.id for step in journey.steps]
    problems = [
        f"steps[{i}]: id used twice; expected each step once"
        for i in sorted(set(ids))
        if ids.count(i) > 1
    ]
    if problems:
        return problems
    edges = {journey.steps[i].id: journey.successors(i) for i in range(len(ids))}
    problems += [
        f"steps[{source}]: leads to {target!r}; expected one of the steps: {', '.join(ids)}"
        for source, targets in edges.items()
        for target in targets
        if target not in edges
    ]
    if problems:
        return problems
    reachable = _reachable(edges, ids[0])
    problems += [
        f"steps[{step}]: unreachable; expected every step to be reached from {ids[0]!r}"
        for step in ids
        if step not in reachable
    ]
    problems += _branch_problems(journey, edges)
    problems += _loop_problems(journey, edges)
    problems += _campaign_name_problems(journey)
    return problems


def _campaign_name_problems(journey: JourneySpec) -> list[str]:
    seen: dict[str, str] = {}
    problems = []
    for step in journey.message_steps:
        campaign = journey.campaign_of(step)
        if campaign in seen:
            problems.append(
                f"steps[{step.id}].message.campaign: got {campaign!r}, already the campaign of "
                f"step {seen[campaign]!r}; expected one campaign a message step"
            )
        seen[campaign] = step.id
    return problems


def _reachable(edges: dict[str, list[str]], start: str) -> set[str]:
    seen, todo = set(), [start]
    while todo:
        step = todo.pop()
        if step not in seen:
            seen.add(step)
            todo.extend(edges[step])
    return seen


def _branch_problems(journey: JourneySpec, edges: dict[str, list[str]]) -> list[str]:
    problems = []
    for step in journey.steps:
        condition = step.branch.if_ if step.branch else None
        if condition is None or condition.step is None:
            continue
        asked = condition.step
        if asked not in edges or journey.step(asked).message is None:
            problems.append(
                f"steps[{step.id}].branch.if.step: got {asked!r}; expected a message step"
            )
        elif step.id not in _reachable(edges, asked) - {asked}:
            problems.append(
                f"steps[{step.id}].branch.if.step: got {asked!r}; expected a message step "
                f"that comes before this branch"
            )
    return problems


def _takes_time(step: Step) -> bool:
    return step.wait is not None and step.wait.takes_time


def _loop_problems(journey: JourneySpec, edges: dict[str, list[str]]) -> list[str]:
    """A cycle among steps that take no time would spin: find one in the graph without them."""
    instant = {
        step.id: [t for t in edges[step.id] if not _takes_time(journey.step(t))]
        for step in journey.steps
        if not _takes_time(step)
    }
    cycle = _find_cycle(instant)
    if not cycle:
        return []
    path = " → ".join([*cycle, cycle[0]])
    return [
        f"steps[{cycle[0]}]: loops without a wait ({path}); "
        "expected a wait with for, at or first_of in every loop"
    ]


def _find_cycle(edges: dict[str, list[str]]) -> list[str]:
    state: dict[str, str] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str]:
        state[node] = "open"
        stack.append(node)
        for target in edges.get(node, ()):
            if state.get(target) == "open":
                return stack[stack.index(target) :]
            if target not in state and (found := visit(target)):
                return found
        stack.pop()
        state[node] = "done"
        return []

    for node in edges:
        if node not in state and (found := visit(node)):
            return found
    return []


def _dbt_problems(journey: JourneySpec, dbt: DbtKnowledge) -> list[str]:
    problems = []
    model = journey.entry.model
    if model not in dbt.models:
        prefix = model[:4]
        known = ", ".join(sorted(m for m in dbt.models if m.startswith(prefix))) or "none"
        field = "trigger" if journey.entry.trigger else "segment"
        problems.append(
            f"entry.{field}: got {model!r}; expected a model the dbt project defines "
            f"({prefix}* models: {known})"
        )
    if "left_segment" in journey.exit_when and journey.entry.segment is None:
        problems.append("exit_when: got 'left_segment'; expected it only with a segment entry")
    for step in journey.steps:
        test = step.branch.if_.customer if step.branch else None
        if test is not None and test.column not in dbt.customer_columns:
            problems.append(
                f"steps[{step.id}].branch.if.customer.column: got {test.column!r}; "
                f"expected a column of dim_customers"
            )
    return problems


def journey_templates_folder(
    journeys_dir: Path, journey: str, step: str, variant: str | None = None
) -> Path:
    """`templates/<journey>/<step>/`, or `<step>.<variant>/` for a variant with its own words."""
    return journeys_dir / JOURNEY_TEMPLATES / journey / (f"{step}.{variant}" if variant else step)


def _template_problems(journey: JourneySpec, journeys_dir: Path) -> list[str]:
    problems = []
    for step, variant, channel in _messages(journey):
        own = journey_templates_folder(journeys_dir, journey.name, step.id, variant)
        folder = (
            own
            if variant and own.is_dir()
            else journey_templates_folder(journeys_dir, journey.name, step.id)
        )
        where = f"steps[{step.id}]" + (f".experiment.variants.{variant}" if variant else ".message")
        problems += [
            f"{where}: {problem}"
            for problem in template_folder_problems(folder, journey.default_locale, channel)
        ]
    return list(dict.fromkeys(problems))


def _messages(journey: JourneySpec) -> Iterator[tuple[Step, str | None, str]]:
    """Every (message step, variant or None, channel) a recipient may be sent."""
    for step in journey.steps:
        message = step.message
        if message is None:
            continue
        if message.experiment is None:
            yield step, None, message.channel
            continue
        for name, variant in message.experiment.variants.items():
            yield step, name, variant.channel or message.channel
