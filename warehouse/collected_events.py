"""Web events from the event collector into ``raw.web_events``, through the file loader's rules.

The collector (``POST /v1/track`` and friends on the tracking service) hands over rows already
in the landing contract's columns. One statement checks them with ``warehouse.row_rules`` — the
very predicates and reasons a landed file's rows meet — and inserts the good ones into
``raw.web_events`` and the others into ``raw.web_events_rejects`` with their reason and the
call's JSON, ``_source`` naming the collector. ``_loaded_at`` is the insert time, which is what
the new-behaviour sensor watches, so collected events are acted on like landed ones.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from models.landing import WEB_EVENTS
from warehouse.row_rules import rules_for

_COLUMNS = WEB_EVENTS.columns


def _insert_sql() -> str:
    rules = rules_for(WEB_EVENTS)
    reasons = ", ".join(
        f"case when coalesce({rule.predicate}, false) then {rule.message} end" for rule in rules
    )
    arrays = ", ".join(f"%({column})s::text[]" for column in (*_COLUMNS, "_raw"))
    names = ", ".join((*_COLUMNS, "_raw", "_row_number"))
    columns = ", ".join(_COLUMNS)
    return f"""
with batch as (
    select * from unnest({arrays}) with ordinality as b({names})
),
judged as (
    select batch.*, concat_ws('; ', {reasons}) as _reject_reason from batch
),
rejected as (
    insert into raw.{WEB_EVENTS.rejects_table}
        ({columns}, _source, _row_number, _reject_reason, _raw)
    select {columns}, %(source)s, _row_number, _reject_reason, _raw
    from judged where _reject_reason <> ''
    returning _row_number, _reject_reason
),
loaded as (
    insert into raw.{WEB_EVENTS.raw_table} ({columns}, _source, _row_number)
    select {columns}, %(source)s, _row_number from judged where _reject_reason = ''
    returning _row_number
)
select _row_number, _reject_reason from rejected
union all
select _row_number, null from loaded
order by 1
"""


INSERT_COLLECTED_EVENTS = _insert_sql()


def collected_events_params(
    rows: Sequence[tuple[str | None, ...]], raw_json: Sequence[str], source: str
) -> dict[str, Any]:
    """Parameters of ``INSERT_COLLECTED_EVENTS``: one text array per contract column."""
    params: dict[str, Any] = {
        column: [row[index] for row in rows] for index, column in enumerate(_COLUMNS)
    }
    params["_raw"] = list(raw_json)
    params["source"] = source
    return params
