"""Customer text in Dagster Markdown metadata is shown as text, never as markup."""

from __future__ import annotations

import re

from models.markdown_text import markdown_literal


def unescaped(sign: str, text: str) -> list[str]:
    """Occurrences of ``sign`` not preceded by the backslash that makes it literal."""
    return re.findall(rf"(?<!\\){re.escape(sign)}", text)


def test_html_is_escaped_so_a_script_tag_is_only_text():
    shown = markdown_literal("<script>alert('x')</script> & <b>bold</b>")

    assert "<" not in shown and ">" not in shown
    assert shown.startswith("&lt;script&gt;")
    assert "&amp;" in shown


def test_a_link_with_a_javascript_target_is_not_a_link():
    shown = markdown_literal("[x](javascript:alert(1))")

    for sign in "[]():":
        assert not unescaped(sign, shown), sign


def test_a_pipe_cannot_open_a_table_cell_nor_a_newline_a_row():
    shown = markdown_literal("Ann | 42\n| injected | row |\r\nlast")

    assert "\n" not in shown and "\r" not in shown
    assert not unescaped("|", shown)


def test_backticks_emphasis_and_headings_are_literal():
    shown = markdown_literal("# Title `code` *bold* _it_ ~~gone~~")

    for sign in "#`*_~":
        assert not unescaped(sign, shown), sign


def test_plain_words_read_as_they_were():
    assert markdown_literal("Jane Doe 42") == "Jane Doe 42"
    assert markdown_literal(7) == "7"
