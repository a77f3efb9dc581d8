"""Customers' e-mail addresses and phone numbers, masked in text people read (a run's summary on
a terminal or in a CI log): ``jane.doe@example.com`` → ``j***@example.com``, ``+33612345689``
→ ``+33******89``.

The mask keeps what an operator needs to tell messages apart and diagnose delivery — an
address's first character and domain (which mail provider), a number's country code and last
two digits — and hides the rest behind a fixed number of stars, so even the length of what is
hidden is not told. Phone numbers are recognised in E.164 form (``+`` and 7 to 15 digits), the
form the datamart keeps them in.
"""

from __future__ import annotations

import re

# Every character RFC 5322 allows in a local part (dot-atom), so none of it is left showing.
_LOCAL = r"[\w.!#$%&'*+/=?^`{|}~-]"
_EMAIL = re.compile(rf"(?<!{_LOCAL})({_LOCAL}){_LOCAL}*@([\w-]+(?:\.[\w-]+)+)")
_E164 = re.compile(r"(?<![\w+])(\+\d{2})\d{3,11}(\d{2})\b")


def mask_contacts(text: str) -> str:
    """``text`` with every e-mail address and E.164 phone number in it masked."""
    text = _EMAIL.sub(r"\1***@\2", text)
    return _E164.sub(r"\1******\2", text)
