"""dbt on the datamart: each dbt call reaches the warehouse its resource names, and the process's
environment is the same after the call as before it."""

from __future__ import annotations

import os
from urllib.parse import urlsplit, urlunsplit

from assets.resources import datamart_dbt


def other_database(url: str, name: str) -> str:
    return urlunsplit(urlsplit(url)._replace(path=f"/{name}"))


def test_dbt_reaches_the_warehouse_it_is_given_and_leaves_the_environment_alone(
    database_url, tmp_path
):
    before = dict(os.environ)

    def debug(url: str, folder: str) -> bool:
        invocation = datamart_dbt(url).cli(
            ["debug"], raise_on_error=False, target_path=tmp_path / folder
        )
        invocation.wait()
        return invocation.is_successful()

    reached = debug(database_url, "reached")
    missed = debug(other_database(database_url, "no_such_database"), "missed")

    assert (reached, missed) == (True, False)
    assert dict(os.environ) == before


def test_each_run_s_instant_reaches_dbt_without_parsing_the_project_again(database_url, tmp_path):
    """The instant changes at every run; passed in --vars it would cost a full parse each time."""
    target = tmp_path / "target"
    compiled = (
        target / "compiled" / "touchpoint" / "models" / "triggers" / "trg_product_interest.sql"
    )

    def compile_as_of(instant: str):
        invocation = datamart_dbt(database_url).cli(
            ["compile", "--select", "trg_product_interest"],
            as_of=instant,
            raise_on_error=False,
            target_path=target,
        )
        invocation.wait()
        assert invocation.is_successful(), (target / "dbt.log").read_text()[-3000:]
        return invocation, compiled.read_text()

    _, first = compile_as_of("2026-11-23T12:00:00+00:00")
    (target / "dbt.log").unlink()
    invocation, second = compile_as_of("2026-11-24T08:30:00Z")

    assert "'2026-11-23T12:00:00+00:00'::timestamptz" in first
    assert "'2026-11-24T08:30:00+00:00'::timestamptz" in second and "2026-11-23" not in second
    assert "Unable to do partial parsing" not in (target / "dbt.log").read_text()
    assert invocation.adapter is None  # dbt ran in its own process only


def test_a_run_tagged_for_a_full_refresh_rebuilds_the_incremental_models_and_others_do_not():
    from assets.dbt_project import dbt_build_args, full_refresh_tags
    from orchestration.cli import parser

    tags = full_refresh_tags(parser().parse_args(["run", "--full-refresh"]).full_refresh)
    plain = full_refresh_tags(parser().parse_args(["run"]).full_refresh)

    assert dbt_build_args(tags) == [
        "build",
        "--exclude-resource-type",
        "unit_test",
        "--full-refresh",
    ]
    assert dbt_build_args(plain | {"touchpoint/as_of": "2026-11-23T12:00:00+00:00"}) == [
        "build",
        "--exclude-resource-type",
        "unit_test",
    ]
