"""Row rules per landing source: what makes a landed row loadable.

Each rule is a SQL predicate over the batch being loaded (true when the row breaks it) and a
message naming the column, the value and what was expected. The set-based split into
``raw.<table>`` and ``raw.<table>_rejects`` judges every row by each rule once, and counts the rows
breaking each; the Great Expectations suite (the evidence shown as asset checks) is validated on
those counts, so the two always agree.

A typed column's rule accepts exactly the values of the contract's shape that its dbt staging
cast accepts (``::date``, ``::timestamptz``, ``::integer``, ``::numeric``, ``::jsonb``), so a
loaded row can never stop a staging build; the tests hold each rule to its cast value by value.

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
    FileFormat,
    LandingSource,
)

# The landing contract's shapes ([0-9], not \d, which some locales stretch to other scripts'
# digits that no cast reads). PostgreSQL's casts accept more shapes than these (``tomorrow``,
# ``1e3``) but, within them, refuse some values: year 0000, 30 February, an offset beyond ±15:59,
# an integer beyond 2^31, a number of more digits than ``numeric`` holds.
_ISO_DATE = r"^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$"
_ISO_TIMESTAMP = (
    r"^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])[T ]([01][0-9]|2[0-3]):[0-5][0-9]"
    r"(:[0-5][0-9](\.[0-9]+)?)?(Z|[+-][0-9]{2}(:?[0-9]{2})?)$"
)
_DECIMAL = r"^-?[0-9]+(\.[0-9]+)?$"
_INTEGER = r"^-?[0-9]+$"
MAX_IDENTIFIER_BYTES = 200
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


def _cast_valid(column: str, shape: str, type_name: str) -> str:
    """True when the value has the contract's ``shape`` (a SQL condition) and the staging cast
    to ``type_name`` accepts it: the server's own parser answers (``raw.is_valid``, which never
    raises), so the rule is exactly as strict as the cast, at the cost of one parse."""
    return f"({shape} and raw.is_valid({column}, '{type_name}'))"


def _matches(column: str, pattern: str) -> str:
    return f"{column} ~ '{pattern}'"


def timestamp_shape(column: str) -> str:
    """Whether the value has the contract's timestamp shape, as far as the timestamptz cast
    leaves it to the shape. The commonest spelling, ``2026-03-01T09:30:00+01:00``, is told
    without the anchored regex, which costs four times as much (PostgreSQL's regex engine builds
    the states of a pattern afresh for every value, and that one has dozens): its separators in
    their places (LIKE), its 18 other characters digits, the hour not 24 and the second not 60
    (the cast reads 24:00:00 and a 60th second; a later hour or second, a 13th month or a 60th
    minute it refuses itself). Any other spelling goes to the regex. With the cast, the two
    judge alike, value by value (tests/warehouse/test_row_rules_match_casts.py).

    The digits are told by an unanchored pattern of a handful of states, over the value with a
    ``-`` either side: every character a digit or a separator (``-:T+``), and no two separators
    one or two characters apart. The separators LIKE puts in their places are three or more
    apart, the ends counted as separators; a separator in the place of a digit lies next to one
    of them, or (the middle of the year) one digit away from another."""
    common = (
        f"({column} like '____-__-__T__:__:__+__:__' or {column} like '____-__-__T__:__:__-__:__')"
        f" and ('-' || {column} || '-') !~ '[^-:T+0-9]|[-:T+][0-9]?[-:T+]'"
        f" and {column} not like '{_common_spelling_with('24', at=12)}'"
        f" and {column} not like '{_common_spelling_with('60', at=18)}'"
    )
    return f"(({common}) or {_matches(column, _ISO_TIMESTAMP)})"


def _common_spelling_with(text: str, *, at: int) -> str:
    """A LIKE pattern of 25 characters, as many as the common timestamp spelling has: ``text``
    from position ``at`` (1-based), any character elsewhere."""
    return "_" * (at - 1) + text + "_" * (25 - (at - 1) - len(text))


def timestamp(column: str) -> RowRule:
    return RowRule(
        name=f"{column}_is_timestamp",
        expectation=f"{column} is an ISO 8601 timestamp with a UTC offset",
        predicate=(
            f"{column} is not null "
            f"and not {_cast_valid(column, timestamp_shape(column), 'timestamptz')}"
        ),
        message=(
            f"'{column} ' || {_quoted(column)} || "
            "' is not an ISO 8601 timestamp with a UTC offset (e.g. 2026-03-01T09:30:00+01:00;"
            " years 0001-9999, offsets up to ±15:59)'"
        ),
    )


def date(column: str) -> RowRule:
    return RowRule(
        name=f"{column}_is_date",
        expectation=f"{column} is a date (YYYY-MM-DD)",
        predicate=(
            f"{column} is not null "
            f"and not {_cast_valid(column, _matches(column, _ISO_DATE), 'date')}"
        ),
        message=f"'{column} ' || {_quoted(column)} || ' is not a date (YYYY-MM-DD)'",
    )


def decimal(column: str) -> RowRule:
    return RowRule(
        name=f"{column}_is_decimal",
        expectation=f"{column} is a decimal number",
        predicate=(
            f"{column} is not null "
            f"and not {_cast_valid(column, _matches(column, _DECIMAL), 'numeric')}"
        ),
        message=f"'{column} ' || {_quoted(column)} || ' is not a decimal number (e.g. 79.90)'",
    )


def integer(column: str) -> RowRule:
    return RowRule(
        name=f"{column}_is_integer",
        expectation=f"{column} is a whole number within PostgreSQL's integer range",
        predicate=(
            f"{column} is not null "
            f"and not {_cast_valid(column, _matches(column, _INTEGER), 'integer')}"
        ),
        message=(
            f"'{column} ' || {_quoted(column)} || "
            "' is not a whole number from -2147483648 to 2147483647'"
        ),
    )


def service_interval(column: str) -> RowRule:
    """The next service date adds this many months to a date, which must stay a date: a
    hundred years is plenty. Judged by pattern, not by a cast, so no value can make the rule
    itself raise; only whole numbers are judged here (``integer`` rejects the others)."""
    return RowRule(
        name=f"{column}_within_1200",
        expectation=f"{column} is from 0 to 1200 months",
        predicate=(
            f"{column} ~ '{_INTEGER}' and {column} !~ '^0*([0-9]{{1,3}}|1[01][0-9]{{2}}|1200)$'"
        ),
        message=f"'{column} ' || {_quoted(column)} || ' is not from 0 to 1200 months'",
    )


def json_value(column: str) -> RowRule:
    return RowRule(
        name=f"{column}_is_json",
        expectation=f"{column} is JSON PostgreSQL can store",
        predicate=f"{column} is not null and not raw.is_valid({column}, 'jsonb')",
        message=(
            f"'{column} ' || {_quoted(f'left({column}, 200)')} || ' is not JSON PostgreSQL "
            "can store (no \\u0000, no lone surrogate, numbers within range)'"
        ),
    )


def short_identifiers(*columns: str) -> RowRule:
    """Identifiers become keys the marts index, and a btree entry holds at most 2704 bytes: one
    longer value would fail the build of every mart that indexes it, at every run."""
    limit = MAX_IDENTIFIER_BYTES
    long_ones = ", ".join(
        f"case when octet_length({c}) > {limit} then '{c} is longer than {limit} bytes' end"
        for c in columns
    )
    return RowRule(
        name="identifiers_are_short",
        expectation=f"{', '.join(columns)} are at most {limit} bytes",
        predicate=" or ".join(f"octet_length({c}) > {limit}" for c in columns),
        message=f"concat_ws('; ', {long_ones})",
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
        short_identifiers("customer_id", "loyalty_card_id"),
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
        short_identifiers("vehicle_id", "customer_id"),
        date("delivered_at"),
        date("last_service_at"),
        integer("model_year"),
        integer("service_interval_months"),
        service_interval("service_interval_months"),
    ),
    CATALOG_PRODUCTS.name: (
        required("product_id"),
        required("name"),
        short_identifiers("product_id", "matches_product_id"),
        decimal("price"),
    ),
    WEB_EVENTS.name: (
        required("event_id"),
        required("occurred_at"),
        required("type"),
        short_identifiers("event_id", "anonymous_id", "customer_id", "product_id", "order_id"),
        one_of("type", WEB_EVENT_TYPES),
        timestamp("occurred_at"),
        decimal("revenue"),
        json_value("properties"),
    ),
    POS_TRANSACTIONS.name: (
        required("transaction_id"),
        required("line_number"),
        required("product_id"),
        required("purchased_at"),
        one_of_required("customer_id", "loyalty_card_id"),
        short_identifiers("transaction_id", "customer_id", "loyalty_card_id", "product_id"),
        integer("line_number"),
        integer("quantity"),
        decimal("unit_price"),
        timestamp("purchased_at"),
    ),
}


# A JSON line is judged as a line before its values are: over ``_json_type``, the JSON type of
# the line as the server parsed it (NULL when it cannot read it as JSON that ``jsonb`` stores),
# and ``_raw``, the line as it landed. A line that breaks one of these is rejected for that alone;
# its values, which it has none of, are not judged. The reason quotes the server's own words
# (``Token "not" is invalid.``), cut at 200 characters.
JSON_LINE_RULES: tuple[RowRule, ...] = (
    RowRule(
        name="line_is_json",
        expectation="the line is JSON PostgreSQL can store",
        predicate="_json_type is null",
        message=(
            "case when raw.is_valid(_raw, 'json') then 'the line is JSON PostgreSQL cannot store'"
            " else 'the line is not valid JSON' end"
            " || ' (' || left(raw.input_error(_raw, 'jsonb'), 200) || ')'"
        ),
    ),
    RowRule(
        name="line_is_object",
        expectation="the line is a JSON object",
        predicate="_json_type <> 'object'",
        message="'the line is JSON but not an object'",
    ),
)


def rules_for(source: LandingSource) -> tuple[RowRule, ...]:
    return ROW_RULES[source.name]


def line_rules_for(source: LandingSource) -> tuple[RowRule, ...]:
    """The rules a landed line of ``source`` meets before its values are judged."""
    return JSON_LINE_RULES if source.file_format is FileFormat.JSONL else ()


def judged_rules(source: LandingSource) -> tuple[RowRule, ...]:
    """Every rule a staged row of ``source`` is judged by, the line rules first."""
    return line_rules_for(source) + rules_for(source)
