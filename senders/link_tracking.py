"""Rewriting a rendered HTML body for the tracking service (models/tracking.py has the contract).

Every ``http(s)`` ``href`` of an ``<a>`` or ``<area>`` becomes a signed click link to that exact
target (the attribute is HTML-unescaped first, so ``&amp;`` in a template is ``&`` in the signed
URL, as a browser would follow it); other schemes (``mailto:``, ``tel:``, ``#top``) and links
already pointing at the tracking service stay as they are. An open pixel goes just before
``</body>``. Regular expressions suffice: the HTML comes from our own sandboxed templates, and
attribute values are matched quote-aware, so a ``>`` inside a quoted value does not end a tag.
"""

from __future__ import annotations

import html
import re
from uuid import UUID

from models.tracking import TrackingLinks

_LINK_TAG = re.compile(r"""<(?:a|area)\b(?:[^>"']|"[^"]*"|'[^']*')*>""", re.IGNORECASE)
_HREF = re.compile(
    r"""(?P<lead>\shref\s*=\s*)(?:"(?P<dq>[^"]*)"|'(?P<sq>[^']*)'|(?P<bare>[^\s"'=<>`]+))""",
    re.IGNORECASE,
)
_BODY_END = re.compile(r"</body\s*>", re.IGNORECASE)


def track_links(body_html: str, message_id: UUID, links: TrackingLinks) -> str:
    """The HTML with signed click links and an open pixel."""

    def rewrite_href(match: re.Match[str]) -> str:
        raw = match["dq"] if match["dq"] is not None else match["sq"] or match["bare"] or ""
        target = html.unescape(raw).strip()
        if not _is_web_link(target) or target.startswith(f"{links.base_url}/"):
            return match[0]
        click = html.escape(links.click(message_id, target), quote=True)
        return f'{match["lead"]}"{click}"'

    def rewrite_tag(match: re.Match[str]) -> str:
        return _HREF.sub(rewrite_href, match[0], count=1)

    rewritten = _LINK_TAG.sub(rewrite_tag, body_html)
    return _with_pixel(rewritten, html.escape(links.open_pixel(message_id), quote=True))


def _is_web_link(target: str) -> bool:
    return target.lower().startswith(("https://", "http://"))


def _with_pixel(body_html: str, pixel_url: str) -> str:
    pixel = f'<img src="{pixel_url}" width="1" height="1" alt="" style="border:0">'
    ends = list(_BODY_END.finditer(body_html))
    if not ends:
        return body_html + pixel
    at = ends[-1].start()
    return body_html[:at] + pixel + body_html[at:]
