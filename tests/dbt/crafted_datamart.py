"""A database of crafted raw and messaging rows (or of what a test ingests into it), built by
real dbt (a subprocess, as a data engineer runs it) at as-of instants on request, and read back
as plain rows."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import psycopg
from psycopg.rows import dict_row

from assets.resources import dbt_env_for
from warehouse.messaging_schema import migrate_messaging
from warehouse.raw_schema import ensure_raw_schema

DBT_PROJECT_DIR = Path(__file__).resolve().parents[2] / "dbt_project"


class CraftedDatamart:
    def __init__(self, pg_server, name: str, work: Path, rows: Path | None = None) -> None:
        with psycopg.connect(pg_server.url("postgres"), autocommit=True) as conn:
            conn.execute(f"drop database if exists {name} with (force)")
            conn.execute(f"create database {name}")
        self.url = pg_server.url(name)
        self.work = work
        self.env = {
            "DBT_PROFILES_DIR": str(DBT_PROJECT_DIR),
            "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
            **dbt_env_for(self.url),
        }
        migrate_messaging(self.url)
        with psycopg.connect(self.url, autocommit=True) as conn:
            ensure_raw_schema(conn)
            if rows is not None:
                conn.execute(rows.read_text())

    def build(
        self,
        as_of: str,
        select: str,
        full_refresh: bool = False,
        tests: bool = True,
        variables: dict[str, Any] | None = None,
        must_pass: bool = True,
    ) -> subprocess.CompletedProcess:
        """`dbt build` of the selection and its parents at the as-of instant: dbt's exit status
        and output; it must pass unless ``must_pass`` is false. ``full_refresh`` rebuilds the
        incremental models from all of raw; without ``tests`` only the models are built;
        ``variables``, project variables besides the instant."""
        built = subprocess.run(
            [
                str(Path(sys.executable).with_name("dbt")),
                "build",
                *(["--full-refresh"] if full_refresh else []),
                *([] if tests else ["--exclude-resource-type", "test", "unit_test"]),
                "--select",
                *select.split(),
                # Tests reaching beyond the selection (a relationship to an unbuilt model) wait
                # for a build that has both ends.
                "--indirect-selection",
                "cautious",
                "--vars",
                json.dumps({"as_of": as_of, **(variables or {})}),
                "--target-path",
                str(self.work / "target"),
                "--log-path",
                str(self.work / "logs"),
            ],
            cwd=DBT_PROJECT_DIR,
            env={**os.environ, **self.env},
            capture_output=True,
            text=True,
        )
        assert built.returncode == 0 or not must_pass, built.stdout[-6000:]
        return built

    def connect(self) -> psycopg.Connection:
        """An autocommit connection, to add raw rows between builds."""
        return psycopg.connect(self.url, autocommit=True)

    def rows(self, query: str) -> list[dict[str, Any]]:
        with psycopg.connect(self.url, row_factory=dict_row) as conn:
            return conn.execute(query).fetchall()

    def by(self, key: str, query: str) -> dict[str, dict[str, Any]]:
        return {row[key]: row for row in self.rows(query)}

    def facts(self, queries: dict[str, str]) -> dict[str, list[dict[str, Any]]]:
        """Each named query's rows."""
        return {name: self.rows(query) for name, query in queries.items()}

    def incremental_and_full(
        self, select: str, queries: dict[str, str], late: str, early: str
    ) -> dict[str, dict[str, dict[str, list[dict[str, Any]]]]]:
        """Right after an increment built at ``late``: the facts it left, those of an incremental
        build at the earlier ``early``, then of full refreshes at both instants, keyed
        ``incremental`` / ``full`` then by instant (what the incremental tests compare)."""
        incremental = {late: self.facts(queries)}
        self.build(early, select, tests=False)
        incremental[early] = self.facts(queries)
        full = {}
        for as_of in (early, late):
            self.build(as_of, select, full_refresh=True, tests=False)
            full[as_of] = self.facts(queries)
        return {"incremental": incremental, "full": full}


def facts_differing(
    incremental: dict[str, list[dict[str, Any]]], full: dict[str, list[dict[str, Any]]]
) -> dict[str, tuple[int, int]]:
    """Each fact whose rows differ between an incremental build and a full refresh, with its row
    counts in each (incremental, full): empty when the builds agree."""
    return {
        name: (len(incremental.get(name, [])), len(full.get(name, [])))
        for name in incremental.keys() | full.keys()
        if incremental.get(name) != full.get(name)
    }
