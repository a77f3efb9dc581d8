"""Voucher codes: unique, unguessable, easy to read out at a till."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from decimal import Decimal

from models.campaigns import VoucherSpec

# No 0/O, 1/I/L, 5/S, 2/Z: a code read aloud or typed from a phone screen survives.
CODE_ALPHABET = "346789ABCDEFGHJKMNPQRTUVWXY"
CODE_GROUPS = 3
CODE_GROUP_LENGTH = 4


@dataclass(frozen=True)
class VoucherTerms:
    """What a campaign hands out: a percentage or an amount, valid for some days."""

    kind: str  # percent | amount
    value: Decimal
    currency: str | None
    valid_days: int


def voucher_terms(voucher: VoucherSpec | None) -> VoucherTerms | None:
    """The terms a campaign's or journey step's `voucher:` gives, if it has one."""
    if voucher is None:
        return None
    return VoucherTerms(voucher.kind, voucher.value, voucher.currency, voucher.valid_days)


@dataclass(frozen=True)
class Voucher:
    code: str
    kind: str
    value: Decimal
    currency: str | None
    valid_from: datetime
    expires_at: datetime

    def as_template_value(self, zone: tzinfo) -> dict:
        return {
            "code": self.code,
            "kind": self.kind,
            "value": self.value,
            "currency": self.currency,
            "expires_at": self.expires_at.astimezone(zone),
        }


def new_code() -> str:
    """12 characters from a 27-letter alphabet: about 57 bits, never guessed, rarely retried."""
    groups = (
        "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_GROUP_LENGTH))
        for _ in range(CODE_GROUPS)
    )
    return "-".join(groups)


def issue_voucher(terms: VoucherTerms, valid_from: datetime) -> Voucher:
    """A voucher valid from the moment its message may go out, for the campaign's days."""
    return Voucher(
        code=new_code(),
        kind=terms.kind,
        value=terms.value,
        currency=terms.currency,
        valid_from=valid_from,
        expires_at=valid_from + timedelta(days=terms.valid_days),
    )
