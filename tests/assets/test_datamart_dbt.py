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
