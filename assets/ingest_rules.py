"""Row rules per landing source: what makes a landed row loadable.

Each rule is a SQL predicate over the batch being loaded (true when the row breaks it) and a
message naming the column, the value and what was expected. The same rules feed the Great
Expectations suite (the evidence shown as asset checks) and the set-based split into
``raw.<table>`` and ``raw.<table>_rejects``, so the two always agree.

Invalid e-mail addresses, phone numbers and time zones are *not* rejected: the customer is real
and the rest of the row is useful; dbt flags them and consent logic leaves them out.
"""

from __future__ import annotations

from dataclasses import dataclass

from models.landing import (
    CATALOG_PRODUCTS,
    CRM_CUSTOMERS,
    CRM_VEHICLES,
    POS_TRANSACTIONS,
    WEB_EVENT_TYPES,
    WEB_EVENTS,
    LandingSource,
)

_ISO_DATE = r"^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$"
_ISO_TIMESTAMP = (
    r"^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])[T ]([01]\d|2[0-3]):[0-5]\d"
    r"(:[0-5]\d(\.\d+)?)?(Z|[+-]\d{2}(:?\d{2})?)$"
)
_DECIMAL = r"^-?\d+(\.\d+)?$"
_INTEGER = r"^-?\d+$"
_BOOLEANS = ("true", "false", "t", "f", "1", "0", "yes", "no", "y", "n")


@dataclass(frozen=True)
class RowRule:
    """``predicate`` is true for a row that breaks the rule; ``message`` says why, per row."""

    name: str
    expectation: str
    predicate: str
    message: str


def _quoted(column: str) -> str:
    return f"coalesce(quote_literal({column}), 'null')"


def required(column: str) -> RowRule:
    return RowRule(
        name=f"{column}_present",
        expectation=f"{column} is present",
        predicate=f"{column} is null",
        message=f"'{column} is missing'",
    )


def one_of_required(*columns: str) -> RowRule:
    names = " or ".join(columns)
    return RowRule(
        name="_or_".join(columns) + "_present",
        expectation=f"{names} is present",
        predicate=" and ".join(f"{c} is null" for c in columns),
        message=f"'{names} is missing: one of them identifies the customer'",
    )


def _calendar_valid(column: str, pattern: str, type_name: str) -> str:
    """The pattern pins months, days and times to their ranges, so only days 29–31 can still be
    impossible (30 February); the server's own parser is asked about those alone, which keeps
    the rule fast on millions of rows."""
    return (
        f"{column} ~ '{pattern}' and (substr({column}, 9, 2) < '29' "
        f"or raw.is_valid({column}, '{type_name}'))"
    )


def timestamp(column: str) -> RowRule:
    return RowRule(
        name=f"{column}_is_timestamp",
        expectation=f"{column} is an ISO 8601 timestamp with a UTC offset",
        predicate=(
            f"{column} is not null and not "
            f"({_calendar_valid(column, _ISO_TIMESTAMP, 'timestamptz')})"
        ),
        message=(
            f"'{column} ' || {_quoted(column)} || "
            "' is not an ISO 8601 timestamp with a UTC offset (e.g. 2026-03-01T09:30:00+01:00)'"
        ),
    )


def date(column: str) -> RowRule:
    return RowRule(
        name=f"{column}_is_date",
        expectation=f"{column} is a date (YYYY-MM-DD)",
        predicate=f"{column} is not null and not ({_calendar_valid(column, _ISO_DATE, 'date')})",
        message=f"'{column} ' || {_quoted(column)} || ' is not a date (YYYY-MM-DD)'",
    )


def decimal(column: str) -> RowRule:
    return RowRule(
        name=f"{column}_is_decimal",
        expectation=f"{column} is a decimal number",
        predicate=f"{column} is not null and {column} !~ '{_DECIMAL}'",
        message=f"'{column} ' || {_quoted(column)} || ' is not a decimal number (e.g. 79.90)'",
    )


def integer(column: str) -> RowRule:
    return RowRule(
        name=f"{column}_is_integer",
        expectation=f"{column} is a whole number",
        predicate=f"{column} is not null and {column} !~ '{_INTEGER}'",
        message=f"'{column} ' || {_quoted(column)} || ' is not a whole number'",
    )


def boolean(column: str) -> RowRule:
    accepted = ", ".join(f"'{v}'" for v in _BOOLEANS)
    return RowRule(
        name=f"{column}_is_boolean",
        expectation=f"{column} is true or false",
        predicate=f"{column} is not null and lower({column}) not in ({accepted})",
        message=f"'{column} ' || {_quoted(column)} || ' is not true/false'",
    )


def one_of(column: str, values: tuple[str, ...]) -> RowRule:
    accepted = ", ".join(f"'{v}'" for v in values)
    return RowRule(
        name=f"{column}_is_known",
        expectation=f"{column} is one of {', '.join(values)}",
        predicate=f"{column} is not null and {column} not in ({accepted})",
        message=f"'{column} ' || {_quoted(column)} || ' is not one of {', '.join(values)}'",
    )


ROW_RULES: dict[str, tuple[RowRule, ...]] = {
    CRM_CUSTOMERS.name: (
        required("customer_id"),
        required("updated_at"),
        timestamp("updated_at"),
        timestamp("created_at"),
        date("birth_date"),
        boolean("email_opt_in"),
        boolean("sms_opt_in"),
    ),
    CRM_VEHICLES.name: (
        required("vehicle_id"),
        required("customer_id"),
        required("delivered_at"),
        date("delivered_at"),
        date("last_service_at"),
        integer("model_year"),
        integer("service_interval_months"),
    ),
    CATALOG_PRODUCTS.name: (
        required("product_id"),
        required("name"),
        decimal("price"),
    ),
    WEB_EVENTS.name: (
        required("event_id"),
        required("occurred_at"),
        required("type"),
        one_of("type", WEB_EVENT_TYPES),
        timestamp("occurred_at"),
        decimal("revenue"),
    ),
    POS_TRANSACTIONS.name: (
        required("transaction_id"),
        required("line_number"),
        required("product_id"),
        required("purchased_at"),
        one_of_required("customer_id", "loyalty_card_id"),
        integer("line_number"),
        integer("quantity"),
        decimal("unit_price"),
        timestamp("purchased_at"),
    ),
}


def rules_for(source: LandingSource) -> tuple[RowRule, ...]:
    return ROW_RULES[source.name]
