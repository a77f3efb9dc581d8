"""The tracking links a recipient finds in a mail as it landed (``<message id>.eml``): the open
pixel a mail client loads and the signed links a reader can click (``models.tracking``)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from email import policy
from email.parser import BytesParser
from html import unescape
from pathlib import Path
from urllib.parse import urlsplit

from synthetic.reactions import MailLinks

_URL_ATTRIBUTE = re.compile(r"""\b(?:href|src)\s*=\s*"([^"]+)\"""", re.IGNORECASE)


def links_in_mail(data: bytes) -> MailLinks:
    """The open pixel and click links of the mail's HTML part (none without one)."""
    mail = BytesParser(policy=policy.default).parsebytes(data)
    html = mail.get_body(("html",))
    if html is None:
        return MailLinks(None)
    urls = [unescape(url) for url in _URL_ATTRIBUTE.findall(html.get_content())]
    pixel = next((u for u in urls if _path(u).startswith("/o/")), None)
    return MailLinks(pixel, tuple(u for u in urls if _path(u).startswith("/c/")))


def find_mail(folders: Sequence[Path], message_id: str) -> MailLinks | None:
    """The links of the mail ``message_id`` in the first of ``folders`` holding it, if any."""
    for folder in folders:
        path = folder / f"{message_id}.eml"
        if path.is_file():
            return links_in_mail(path.read_bytes())
    return None


def _path(url: str) -> str:
    return urlsplit(url).path
