"""Signed tracking links: the contract between the messages we send and the tracking service.

Every link is ``TOUCHPOINT_TRACKING_URL`` (``base``, no trailing slash) plus one of:

- open pixel: ``{base}/o/{message_id}.gif?sig={sig}``
- click: ``{base}/c/{message_id}?url={target}&sig={sig}``, ``target`` percent-encoded in full
  (``urllib.parse.quote(target, safe="")``); the service redirects only to that exact URL.
- one-click unsubscribe (RFC 8058, GET shows a page, POST unsubscribes):
  ``{base}/u/{message_id}?sig={sig}``
- survey answer (GET records the score, shows a thank-you page):
  ``{base}/s/{message_id}?score={n}&sig={sig}``, ``n`` one of ``0`` … ``10``

``message_id`` is the outbox UUID in its canonical form (lowercase, with hyphens). ``sig`` is
HMAC-SHA256 keyed with ``TOUCHPOINT_SECRET`` (UTF-8) over a UTF-8 string that names what the link
does, so a signature for one kind of link never passes for another:

- open: ``"touchpoint/open\\n" + message_id``
- click: ``"touchpoint/click\\n" + message_id + "\\n" + target`` (the decoded target URL)
- unsubscribe: ``"touchpoint/unsubscribe\\n" + message_id``
- survey answer: ``"touchpoint/survey\\n" + message_id + "\\n" + n`` (``n`` in decimal, no sign
  or leading zero)

encoded as URL-safe base64 without ``=`` padding (43 characters). Verification recomputes the
signature and compares it in constant time.

A template cannot sign: the message id is made when it is rendered, and the tracking service
and its secret are the dispatcher's. So a survey template writes ``survey_marker(n)``
(``touchpoint-survey:n``) where the answer link goes, and the mail composer replaces each
marker with the signed link of its message (``SURVEY_MARKER`` finds them).
"""

from __future__ import annotations

import base64
import hmac
import re
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import quote
from uuid import UUID

Secret = str | bytes


def sign_open(secret: Secret, message_id: UUID | str) -> str:
    return _sign(secret, "open", _canonical(message_id))


def verify_open(secret: Secret, message_id: str, signature: str) -> bool:
    return _verify(secret, signature, "open", message_id)


def sign_click(secret: Secret, message_id: UUID | str, target: str) -> str:
    return _sign(secret, "click", _canonical(message_id), target)


def verify_click(secret: Secret, message_id: str, target: str, signature: str) -> bool:
    return _verify(secret, signature, "click", message_id, target)


def sign_unsubscribe(secret: Secret, message_id: UUID | str) -> str:
    return _sign(secret, "unsubscribe", _canonical(message_id))


def verify_unsubscribe(secret: Secret, message_id: str, signature: str) -> bool:
    return _verify(secret, signature, "unsubscribe", message_id)


# The answers a survey link can carry: an NPS scale.
SURVEY_SCORES = range(11)
SURVEY_MARKER = re.compile(r"touchpoint-survey:(10|[0-9])(?![0-9])")


def survey_marker(score: int) -> str:
    """Where the answer link for ``score`` goes in a rendered message, until it is composed."""
    return f"touchpoint-survey:{_score(score)}"


def sign_survey(secret: Secret, message_id: UUID | str, score: int) -> str:
    return _sign(secret, "survey", _canonical(message_id), _score(score))


def verify_survey(secret: Secret, message_id: str, score: str, signature: str) -> bool:
    """``score`` as the link carries it: only ``"0"`` … ``"10"`` can have been signed."""
    return _verify(secret, signature, "survey", message_id, score)


@dataclass(frozen=True)
class TrackingLinks:
    """Builds the signed links of one tracking service (``base_url``) with one secret."""

    base_url: str
    secret: Secret

    def __post_init__(self) -> None:
        if not self.secret:
            raise ValueError("tracking links need a non-empty secret (TOUCHPOINT_SECRET)")
        if not self.base_url.startswith(("https://", "http://")):
            raise ValueError(
                f"the tracking base URL must start with https:// or http://, got {self.base_url!r}"
            )
        object.__setattr__(self, "base_url", self.base_url.rstrip("/"))

    # Each link is built for every mail sent, so the message id is made canonical once per
    # link (not again inside the sign_* functions) and the same targets are quoted once.

    def open_pixel(self, message_id: UUID | str) -> str:
        key = _canonical(message_id)
        return f"{self.base_url}/o/{key}.gif?sig={_sign(self.secret, 'open', key)}"

    def click(self, message_id: UUID | str, target: str) -> str:
        key = _canonical(message_id)
        signature = _sign(self.secret, "click", key, target)
        return f"{self.base_url}/c/{key}?url={_quoted(target)}&sig={signature}"

    def unsubscribe(self, message_id: UUID | str) -> str:
        key = _canonical(message_id)
        return f"{self.base_url}/u/{key}?sig={_sign(self.secret, 'unsubscribe', key)}"

    def survey_answer(self, message_id: UUID | str, score: int) -> str:
        key, answer = _canonical(message_id), _score(score)
        signature = _sign(self.secret, "survey", key, answer)
        return f"{self.base_url}/s/{key}?score={answer}&sig={signature}"


def _canonical(message_id: UUID | str) -> str:
    return str(message_id if isinstance(message_id, UUID) else UUID(message_id))


def _score(score: int) -> str:
    if isinstance(score, bool) or not isinstance(score, int) or score not in SURVEY_SCORES:
        raise ValueError(f"a survey score is a whole number from 0 to 10, got {score!r}")
    return str(score)


@lru_cache(maxsize=4096)
def _quoted(target: str) -> str:
    """A click target percent-encoded in full: the few links of a campaign's templates recur in
    every mail it sends."""
    return quote(target, safe="")


def _sign(secret: Secret, purpose: str, *parts: str) -> str:
    if not secret:
        raise ValueError("signing needs a non-empty secret (TOUCHPOINT_SECRET)")
    key = secret.encode() if isinstance(secret, str) else secret
    text = "\n".join((f"touchpoint/{purpose}", *parts))
    digest = hmac.digest(key, text.encode(), "sha256")
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def _verify(secret: Secret, signature: str, purpose: str, message_id: str, *parts: str) -> bool:
    """False for any malformed input: a link is either exactly what we signed or worthless."""
    try:
        canonical = _canonical(message_id)
    except ValueError:
        return False
    if canonical != message_id:
        return False
    expected = _sign(secret, purpose, canonical, *parts)
    return hmac.compare_digest(expected.encode(), signature.encode("utf-8", "surrogatepass"))
