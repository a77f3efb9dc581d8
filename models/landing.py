"""The landing-zone contract (docs/architecture.md, Landing contract): one entry per source, naming
its folder, format, columns and the raw table it loads into.

The raw layer keeps every value as the text that landed; typing happens in dbt staging. What the
loader guarantees is that every loaded row passed the source's validation, so staging casts never
fail. Every raw table also carries ``_source`` (file path or CRM table), ``_row_number`` (1-based
data row in that source) and ``_loaded_at``; every ``raw.<table>_rejects`` table carries the same
columns plus ``_reject_reason`` and ``_raw`` (the unparsed line, where a line could not be parsed).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class FileFormat(StrEnum):
    CSV = "csv"
    JSONL = "jsonl"


@dataclass(frozen=True)
class LandingSource:
    """One landing-zone source: where its files land and which raw table they fill."""

    name: str
    folder: str
    file_format: FileFormat
    columns: tuple[str, ...]
    required_columns: tuple[str, ...]

    @property
    def raw_table(self) -> str:
        return self.name

    @property
    def rejects_table(self) -> str:
        return f"{self.name}_rejects"

    @property
    def pattern(self) -> str:
        return f"*.{self.file_format.value}"


META_COLUMNS = ("_source", "_row_number", "_loaded_at")
REJECT_COLUMNS = ("_reject_reason", "_raw")

CRM_CUSTOMERS = LandingSource(
    name="crm_customers",
    folder="crm/customers",
    file_format=FileFormat.CSV,
    columns=(
        "customer_id",
        "email",
        "phone",
        "first_name",
        "last_name",
        "birth_date",
        "language",
        "country",
        "timezone",
        "email_opt_in",
        "sms_opt_in",
        "loyalty_card_id",
        "created_at",
        "updated_at",
    ),
    required_columns=("customer_id", "updated_at"),
)

CRM_VEHICLES = LandingSource(
    name="crm_vehicles",
    folder="crm/vehicles",
    file_format=FileFormat.CSV,
    columns=(
        "vehicle_id",
        "customer_id",
        "make",
        "model",
        "model_year",
        "delivered_at",
        "last_service_at",
        "service_interval_months",
    ),
    required_columns=("vehicle_id", "customer_id", "delivered_at"),
)

CATALOG_PRODUCTS = LandingSource(
    name="catalog_products",
    folder="catalog/products",
    file_format=FileFormat.CSV,
    columns=(
        "product_id",
        "name",
        "category",
        "color",
        "price",
        "currency",
        "matches_product_id",
        "url",
        "image_url",
    ),
    required_columns=("product_id", "name"),
)

WEB_EVENTS = LandingSource(
    name="web_events",
    folder="web/events",
    file_format=FileFormat.JSONL,
    columns=(
        "event_id",
        "occurred_at",
        "anonymous_id",
        "customer_id",
        "type",
        "product_id",
        "order_id",
        "revenue",
        "currency",
        "url",
        "properties",
    ),
    required_columns=("event_id", "occurred_at", "type"),
)

POS_TRANSACTIONS = LandingSource(
    name="pos_transactions",
    folder="pos/transactions",
    file_format=FileFormat.CSV,
    columns=(
        "transaction_id",
        "line_number",
        "store_id",
        "customer_id",
        "loyalty_card_id",
        "product_id",
        "quantity",
        "unit_price",
        "currency",
        "purchased_at",
        "voucher_code",
    ),
    required_columns=("transaction_id", "line_number", "product_id", "purchased_at"),
)

LANDING_SOURCES: tuple[LandingSource, ...] = (
    CRM_CUSTOMERS,
    CRM_VEHICLES,
    CATALOG_PRODUCTS,
    WEB_EVENTS,
    POS_TRANSACTIONS,
)

WEB_EVENT_TYPES = (
    "page_view",
    "product_view",
    "add_to_cart",
    "remove_from_cart",
    "checkout_started",
    "order_completed",
    "login",
)


def source_named(name: str) -> LandingSource:
    for source in LANDING_SOURCES:
        if source.name == name:
            return source
    known = ", ".join(s.name for s in LANDING_SOURCES)
    raise KeyError(f"unknown landing source {name!r}; known sources: {known}")
