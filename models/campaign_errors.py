"""Campaign errors for people: the file, the field (a dotted path), the value, the expectation."""

from __future__ import annotations

import difflib
from pathlib import Path
from typing import get_args

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails


class CampaignError(ValueError):
    """A campaign that cannot be used; the message names file, field, value and expectation."""


def describe_validation_error(
    path: Path, model: type[BaseModel], error: ValidationError, within: str = ""
) -> str:
    """One line per problem pydantic found, in terms of the YAML the marketer wrote; `within`
    names the part of the file `model` was read from (`steps[welcome].`)."""
    return "\n".join(
        f"{path}: {within}{_describe(model, detail)}"
        if detail["loc"]
        else f"{path}: {within.rstrip('.')}: {_expected(detail['msg'])}"
        for detail in error.errors()
    )


def _describe(model: type[BaseModel], detail: ErrorDetails) -> str:
    loc = detail["loc"]
    field = ".".join(str(part) for part in loc)
    if detail["type"] == "missing":
        return f"{field}: missing; expected this required field"
    if detail["type"] == "extra_forbidden":
        return f"{field}: unknown field; {_known_fields(model, loc)}"
    got = "missing" if detail["input"] is None else f"got {detail['input']!r}"
    return f"{field}: {got}; {_expected(detail['msg'])}"


def _expected(message: str) -> str:
    """pydantic's message rephrased as an expectation: "Input should be …" → "expected …"."""
    message = message.removeprefix("Value error, ")
    for opening in ("Input should be ", "Input should have ", "String should have "):
        if message.startswith(opening):
            return "expected " + message.removeprefix(opening)
    return message


def _known_fields(model: type[BaseModel], loc: tuple) -> str:
    """The fields allowed where the unknown one was, nearest spelling first."""
    for part in loc[:-1]:
        if isinstance(part, int):  # an item of a list: the model is the list's
            continue
        inner = _model_in(model.model_fields[str(part)].annotation)
        assert inner is not None, loc  # pydantic reports unknown fields of models only
        model = inner
    fields = list(model.model_fields)
    close = difflib.get_close_matches(str(loc[-1]), fields, n=1)
    suggestion = f"did you mean {close[0]!r}? " if close else ""
    return f"{suggestion}expected one of: {', '.join(fields)}"


def _model_in(annotation: object) -> type[BaseModel] | None:
    """The model a field holds, through optionals, lists and mappings."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    found = (_model_in(arg) for arg in get_args(annotation))
    return next((model for model in found if model is not None), None)
