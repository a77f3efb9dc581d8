"""The dbt project spells PostgreSQL-only SQL in one place: the dispatched macros of
dbt_project/macros/portable (docs/portability.md). Moving the datamart to another dbt adapter is
then a profile and an ``<adapter>__`` version of each of those macros; these tests keep a model or
a shared macro from growing PostgreSQL syntax of its own again.
"""

import re
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parents[2] / "dbt_project"
PORTABLE = PROJECT / "macros" / "portable"

# Each construct PostgreSQL spells its own way, and the macro to write instead.
POSTGRES_ONLY = {
    r"->>?": "json_text or json_member",
    r"\bjsonb": "json_object, json_array_agg, json_is, json_array_rows, parse_json",
    r"\?&": "json_has_keys",
    r"\bat\s+time\s+zone\b": "local_date, local_timestamp, local_midnight or utc_instant",
    r"\binterval\s*'|\bmake_interval\b": "interval, add_interval, subtract_interval, shift_date",
    r"\bdate_part\s*\(|\bage\s*\(": "year_of or whole_years_between",
    r"\bto_char\s*\(": "iso_date, iso_instant or compact_instant",
    r"::timestamptz\b": "parse_instant or instant_literal",
    r"\bdistinct\s+on\b": "first_row_per",
    r"(?<![~!])~\*?(?!~)": "regex_matches",
    r"\bregexp_\w+\s*\(|\bsubstring\s*\([^)]*\bfrom\b": "regex_replace_all or regex_substring",
    r"\bstring_to_array\b|\bstring_agg\b": "split_to_rows or sorted_distinct_list",
    r"\barray_agg\b": "first_by",
    r"\banalyze\b": "refresh_statistics (as a post-hook)",
    r"\bpg_catalog\b|\braw\.is_valid\b": "timezone_names or can_cast",
    r"\bmd5\s*\(\s*row\s*\(": "row_hash",
}

# raw_casts names the types staging casts raw text to, as can_cast asks PostgreSQL about them.
ALLOWED = {("macros/typable_rows.sql", "jsonb")}

# Comments and the Jinja around the SQL: `~` joins strings in Jinja, and comments may name the
# constructs they explain.
NOT_SQL = re.compile(r"\{#.*?#\}|\{\{.*?\}\}|\{%.*?%\}|--[^\n]*", re.DOTALL)


def _sql_files() -> list[Path]:
    roots = [PROJECT / "models", PROJECT / "macros", PROJECT / "snapshots", PROJECT / "tests"]
    return sorted(
        path for root in roots for path in root.rglob("*.sql") if PORTABLE not in path.parents
    )


def _blank_out(match: re.Match[str]) -> str:
    """Blank a span but keep its newlines, so line numbers still point at the file."""
    return re.sub(r"[^\n]", " ", match.group(0))


def postgres_only_constructs(text: str) -> list[tuple[int, str, str]]:
    """Each (line, construct, macro to use) of SQL outside the portable macros."""
    sql = NOT_SQL.sub(_blank_out, text)
    found = []
    for number, line in enumerate(sql.splitlines(), start=1):
        for pattern, instead in POSTGRES_ONLY.items():
            match = re.search(pattern, line, re.IGNORECASE)
            if match:
                found.append((number, match.group(0), instead))
    return found


def test_the_check_sees_postgres_sql_and_passes_the_portable_form():
    written_for_postgres = (
        "select distinct on (a) a,\n"
        "    detail ->> 'score',\n"
        "    (x at time zone tz)::date,\n"
        "    y - interval '7 days'\n"
        "where email ~ '^x'\n"
    )
    assert [line for line, _, _ in postgres_only_constructs(written_for_postgres)] == [
        1,
        2,
        3,
        4,
        5,
    ]
    portable = (
        "-- a comment may say distinct on, at time zone, ->>\n"
        "select {{ json_text('detail', 'score') }},\n"
        "    {{ local_date('x', 'tz') }}, {{ 'a' ~ 'b' }}\n"
        "{# interval '7 days' #}\n"
    )
    assert postgres_only_constructs(portable) == []


@pytest.mark.parametrize("path", _sql_files(), ids=lambda path: str(path.relative_to(PROJECT)))
def test_models_and_shared_macros_write_postgres_sql_only_through_portable_macros(path):
    relative = str(path.relative_to(PROJECT))
    found = [
        (line, construct, instead)
        for line, construct, instead in postgres_only_constructs(path.read_text())
        if (relative, construct) not in ALLOWED
    ]
    assert found == [], "\n".join(
        f"{relative}:{line}: {construct!r}: use {instead} (macros/portable)"
        for line, construct, instead in found
    )


def _portable_macros() -> dict[str, str]:
    """Every macro of macros/portable by name, with its body."""
    macros = {}
    for path in PORTABLE.glob("*.sql"):
        for name, body in re.findall(
            r"\{%-?\s*macro\s+(\w+)\(.*?%\}(.*?)\{%-?\s*endmacro", path.read_text(), re.DOTALL
        ):
            macros[name] = body
    return macros


def test_every_portable_macro_dispatches_and_has_a_postgres_or_default_version():
    macros = _portable_macros()
    dispatchers = [name for name in macros if "__" not in name]
    assert len(dispatchers) > 20
    for name in dispatchers:
        assert f"adapter.dispatch('{name}', 'touchpoint')" in macros[name], name
        assert f"postgres__{name}" in macros or f"default__{name}" in macros, name
