"""Writing a survey's answer links into a mail as it is composed (models/tracking.py has the
contract).

A survey template marks where each answer link goes (``{{ survey_link(9) }}`` renders as
``touchpoint-survey:9``). Each marker becomes the signed link that answers this message with
its score: as it is in the text part, escaped for an attribute in the HTML part. The links
already point at the tracking service, so click tracking leaves them alone.
"""

from __future__ import annotations

import html
from uuid import UUID

from models.tracking import SURVEY_MARKER, TrackingLinks


def asks_for_answers(*bodies: str | None) -> bool:
    """Whether any of the bodies holds a survey answer link."""
    return any(body and SURVEY_MARKER.search(body) for body in bodies)


def with_answer_links(body: str, message_id: UUID, links: TrackingLinks, *, in_html: bool) -> str:
    """The body with each marker replaced by its signed answer link."""

    def signed(match) -> str:
        link = links.survey_answer(message_id, int(match[1]))
        return html.escape(link, quote=True) if in_html else link

    return SURVEY_MARKER.sub(signed, body)
