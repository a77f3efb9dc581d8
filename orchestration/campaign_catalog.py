"""The campaigns the code location serves, loaded once from `TOUCHPOINT_CAMPAIGNS` and checked
against the dbt project, and how each is scheduled: behavioural triggers (reading web or store
facts) by the new-behaviour sensor, segment entries by the segment sensor, the date-based rest
hourly so every time zone's day is covered."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from assets.dbt_project import DBT_PROJECT
from assets.journey_rendering import check_journey_templates
from assets.rendering import check_templates
from models.campaigns import CampaignError, CampaignSpec, load_campaigns
from models.journeys import DbtKnowledge, JourneySpec, load_journeys


@dataclass(frozen=True)
class CampaignCatalog:
    specs: list[CampaignSpec]
    behavioural_models: frozenset[str]

    def by_kind(self, kind: str) -> list[CampaignSpec]:
        return [spec for spec in self.specs if self.kind_of(spec) == kind]

    def kind_of(self, spec: CampaignSpec) -> str:
        """`segment`, `behaviour` or `date`."""
        if spec.segment:
            return "segment"
        return "behaviour" if spec.trigger in self.behavioural_models else "date"


def load_catalog(campaigns_dir: Path, manifest_path: Path = DBT_PROJECT.manifest_path):
    """Every campaign, validated (fields, models, templates); a bad one stops the load."""
    lineage = _ManifestLineage(json.loads(manifest_path.read_text()))
    specs = load_campaigns(campaigns_dir, lineage.model_names)
    for spec in specs:
        check_templates(spec, campaigns_dir)
    return CampaignCatalog(specs=specs, behavioural_models=lineage.behavioural_models)


def load_journey_catalog(
    journeys_dir: Path,
    campaigns: list[CampaignSpec],
    manifest_path: Path = DBT_PROJECT.manifest_path,
) -> list[JourneySpec]:
    """Every journey, validated like campaigns; none when the folder does not exist. A journey
    step may not report under the name of a campaign that still runs on its own."""
    if not journeys_dir.is_dir():
        return []
    lineage = _ManifestLineage(json.loads(manifest_path.read_text()))
    journeys = load_journeys(
        journeys_dir, DbtKnowledge(lineage.model_names, lineage.columns_of("dim_customers"))
    )
    running = {spec.name for spec in campaigns}
    for journey in journeys:
        check_journey_templates(journeys_dir, journey)
        taken = sorted(running & {journey.campaign_of(s) for s in journey.message_steps})
        if taken:
            raise CampaignError(
                f"{journeys_dir / journey.name}.yml: a message step reports under "
                f"{', '.join(taken)}, a campaign of {journey.name!r}'s own in the campaigns "
                "folder; expected the campaign removed when a journey takes it over"
            )
    return journeys


@dataclass(frozen=True)
class _ManifestLineage:
    manifest: dict

    @cached_property
    def model_names(self) -> set[str]:
        return {
            node["name"]
            for node in self.manifest["nodes"].values()
            if node["resource_type"] == "model"
        }

    def columns_of(self, model: str) -> set[str]:
        """The documented columns of `model`: what a journey's branch may test in
        dim_customers, whose columns _marts__models.yml documents one by one."""
        return {
            column
            for node in self.manifest["nodes"].values()
            if node["resource_type"] == "model" and node["name"] == model
            for column in node["columns"]
        }

    @property
    def behavioural_models(self) -> frozenset[str]:
        """Models reading a fact (`fct_*`: web events, orders) directly: they change with
        behaviour. Models reading only dimensions change with the calendar."""
        nodes = self.manifest["nodes"]
        return frozenset(
            node["name"]
            for unique_id, node in nodes.items()
            if node["resource_type"] == "model"
            and any(
                nodes.get(parent, {}).get("name", "").startswith("fct_")
                for parent in self.manifest["parent_map"].get(unique_id, [])
            )
        )
