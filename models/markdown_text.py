"""Text from customers, providers or marketers, shown as itself in Dagster's Markdown metadata.

A name, a rejected value or an error message quoted into a Markdown table or preview must not
become a link (``[x](javascript:…)``), HTML (``<script>``), emphasis, a heading or a new table
row: the Dagster UI renders that Markdown for everyone who opens the asset.
"""

from __future__ import annotations

import html
import re

_MARKDOWN_PUNCTUATION = re.compile(r"([\\`*_{}\[\]()#+\-.!|~:])")


def markdown_literal(text: object) -> str:
    """``text`` on one line, with HTML and every Markdown sign escaped."""
    one_line = " ".join(str(text).splitlines())
    return _MARKDOWN_PUNCTUATION.sub(r"\\\1", html.escape(one_line, quote=False))
