"""Reading a campaign file: YAML as a marketer means it, errors with the line."""

from __future__ import annotations

import re
from pathlib import Path

import yaml
from pydantic import ValidationInfo

from models.campaign_errors import CampaignError

_STR_TAG = "tag:yaml.org,2002:str"
_CLOCK_TIME = re.compile(r"^\d{1,2}:\d{2}(?::\d{2})?$")


class _CampaignYamlLoader(yaml.SafeLoader):
    """SafeLoader reading `20:00` as the text "20:00": YAML 1.1 would read it as the base-60
    integer 1200, and a send window's end would become 20 minutes past midnight."""


_CampaignYamlLoader.yaml_implicit_resolvers = {
    first: [(_STR_TAG, _CLOCK_TIME), *resolvers] if first.isdigit() else list(resolvers)
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def read_campaign_yaml(path: Path) -> dict:
    """The mapping in a campaign file; CampaignError for unreadable text or YAML, with the line."""
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_CampaignYamlLoader)
    except UnicodeDecodeError as error:
        raise CampaignError(f"{path}: expected UTF-8 text ({error.reason})") from None
    except yaml.MarkedYAMLError as error:
        raise CampaignError(f"{path}: {_where(error)}invalid YAML: {_problem(error)}") from None
    except yaml.YAMLError as error:
        raise CampaignError(f"{path}: invalid YAML: {error}") from None
    if not isinstance(data, dict):
        got = type(data).__name__ if data is not None else "an empty file"
        raise CampaignError(f"{path}: expected a mapping of campaign fields, got {got}")
    return data


def _where(error: yaml.MarkedYAMLError) -> str:
    mark = error.problem_mark or error.context_mark
    return f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""


def _problem(error: yaml.MarkedYAMLError) -> str:
    return "; ".join(part for part in (error.context, error.problem) if part)


def name_is_the_file_stem(name: str, info: ValidationInfo) -> str:
    """A spec's `name` is its file's stem, given as the validation context's `file_stem`."""
    stem = (info.context or {}).get("file_stem")
    if stem is not None and name != stem:
        raise ValueError(f"expected {stem!r}, the name of the file")
    return name
