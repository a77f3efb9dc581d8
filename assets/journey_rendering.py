"""Rendering a journey's messages: the templates of the step (or of the recipient's variant, when
the variant has its own folder), and the voucher of the step or variant.

Templates live in `journeys/templates/<journey>/<step>[.<variant>]/<locale>/`, laid out and
rendered as a campaign's (assets/rendering.py): each step's folder is a template owner named
`<journey>/<step>`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from assets.outbox_rendering import VoucherTermsOf
from assets.rendering import RenderedMessage, TemplateRenderer, check_templates
from assets.vouchers import VoucherTerms, voucher_terms
from models.journey_steps import Step
from models.journeys import JourneySpec, journey_templates_folder
from senders.sms_composition import DEFAULT_MAX_SEGMENTS


@dataclass(frozen=True)
class StepTemplates:
    """One templates folder of a journey, as the template renderer sees a campaign."""

    name: str  # `<journey>/<step>` or `<journey>/<step>.<variant>`, under journeys/templates/
    channel: str
    default_locale: str
    marketing: bool


def step_templates(
    journeys_dir: Path, spec: JourneySpec
) -> dict[tuple[str, str | None], StepTemplates]:
    """(step, variant or None) → its templates folder, for every message a recipient may get."""
    folders = {}
    for step in spec.message_steps:
        message = step.message
        assert message is not None
        variants = message.experiment.variants if message.experiment else {}
        folders[(step.id, None)] = _templates(
            spec, step, step.id, "best" if variants else message.channel
        )
        for variant in variants:
            own = journey_templates_folder(journeys_dir, spec.name, step.id, variant)
            if own.is_dir():
                folders[(step.id, variant)] = _templates(spec, step, f"{step.id}.{variant}", "best")
    return folders


def _templates(spec: JourneySpec, step: Step, folder: str, channel: str) -> StepTemplates:
    return StepTemplates(
        f"{spec.name}/{folder}", channel, spec.default_locale, spec.marketing_of(step)
    )


def check_journey_templates(journeys_dir: Path, spec: JourneySpec) -> None:
    """Compile every template of the journey, as campaigns' are at load (CampaignError)."""
    for templates in step_templates(journeys_dir, spec).values():
        check_templates(templates, journeys_dir)


class JourneyRenderer:
    """Renders the messages of some journeys, by the step and variant in each occurrence's
    context (`event.journey`); the same signature as TemplateRenderer.render."""

    def __init__(
        self,
        journeys_dir: Path,
        specs: list[JourneySpec],
        sms_max_segments: int = DEFAULT_MAX_SEGMENTS,
    ) -> None:
        self._folders = {
            (spec.name, *key): templates
            for spec in specs
            for key, templates in step_templates(journeys_dir, spec).items()
        }
        self._renderer = TemplateRenderer(
            journeys_dir,
            {templates.name: templates for templates in self._folders.values()},
            sms_max_segments,
        )

    def render(
        self, campaign: str, channel: str, locale: str, variables: Mapping[str, Any]
    ) -> RenderedMessage:
        journey = variables["event"]["journey"]
        step = (journey["name"], journey["step"])
        templates = self._folders.get((*step, journey.get("variant"))) or self._folders.get(
            (*step, None)
        )
        # no templates (a step an older version had): the renderer's error names the campaign
        name = templates.name if templates else campaign
        return self._renderer.render(name, channel, locale, variables)


def journey_voucher_terms(specs: list[JourneySpec]) -> VoucherTermsOf:
    """The voucher of an occurrence's step, or of its variant where the variant has one."""
    by_step = {(spec.name, step.id): step for spec in specs for step in spec.message_steps}

    def terms(occurrence: dict) -> VoucherTerms | None:
        journey = (occurrence["context"] or {}).get("journey") or {}
        step: Step | None = by_step.get((journey.get("name"), journey.get("step")))
        if step is None or step.message is None:
            return None
        voucher = step.message.voucher
        experiment = step.message.experiment
        variant = experiment.variants.get(journey.get("variant") or "") if experiment else None
        if variant is not None and variant.voucher is not None:
            voucher = variant.voucher
        return voucher_terms(voucher)

    return terms
