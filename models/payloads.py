"""Reading a JSON request body into a typed record, with a reason a sender can act on.

Everything the tracking service accepts is parsed here (pure, no I/O) and refused with a
``PayloadError`` naming the field and what was expected: the service answers 400 with that
reason and records nothing.
"""

from __future__ import annotations

from typing import Any, TypeVar

import orjson
from pydantic import BaseModel, ValidationError

MAX_REASONS = 3

Model = TypeVar("Model", bound=BaseModel)


class PayloadError(ValueError):
    """The body is not what the route accepts; the message says why, for the sender."""


def json_object(body: bytes | str, what: str = "the body") -> dict[str, Any]:
    try:
        document = orjson.loads(body)
    except orjson.JSONDecodeError as error:
        raise PayloadError(f"{what} is not valid JSON: {error}") from None
    if not isinstance(document, dict):
        raise PayloadError(f"{what} must be a JSON object, got {type(document).__name__}")
    if _has_nul(document):
        raise PayloadError(f"{what} holds a NUL character (\\u0000), which no text may hold")
    return document


def _has_nul(document: Any) -> bool:
    """PostgreSQL text and jsonb cannot hold U+0000: refuse it here rather than fail later.
    A loop, not recursion: JSON may nest deeper than Python's recursion limit."""
    pending = [document]
    while pending:
        value = pending.pop()
        if isinstance(value, str):
            if "\x00" in value:
                return True
        elif isinstance(value, dict):
            pending.extend(value.keys())
            pending.extend(value.values())
        elif isinstance(value, list):
            pending.extend(value)
    return False


def validated(model: type[Model], document: Any, what: str) -> Model:
    """``document`` as ``model`` (strict types, no unknown fields), else a PayloadError."""
    try:
        return model.model_validate(document)
    except ValidationError as error:
        raise PayloadError(f"{what}: {describe(error)}") from None


def describe(error: ValidationError) -> str:
    """The first few problems as ``field: message``, e.g. ``userId: Input should be a valid
    string``; ``extra_forbidden`` reads as ``unknown field``."""
    reasons = []
    for problem in error.errors()[:MAX_REASONS]:
        where = ".".join(str(part) for part in problem["loc"]) or "body"
        message = "unknown field" if problem["type"] == "extra_forbidden" else problem["msg"]
        reasons.append(f"{where}: {message}")
    more = error.error_count() - len(reasons)
    return "; ".join(reasons) + (f" (and {more} more)" if more > 0 else "")
