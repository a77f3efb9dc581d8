"""The dbt project, defined once. Kept apart from the dbt assets, which need its manifest at
import, so the manifest can be prepared before they load."""

import os
import shutil
import sys
from collections.abc import Mapping
from pathlib import Path

from dagster_dbt import DbtProject

DBT_PROJECT_DIR = Path(__file__).resolve().parent.parent / "dbt_project"

# dbt's own DBT_TARGET_PATH (relative to the project) moves the target folder, as it does for dbt
# run by hand; dagster-dbt puts its per-run folders under it too. So the manifest, the partial
# parse and the run folders stay together, wherever it points.
DBT_PROJECT = DbtProject(
    project_dir=DBT_PROJECT_DIR,
    profiles_dir=DBT_PROJECT_DIR,
    target_path=os.environ.get("DBT_TARGET_PATH") or "target",
)

# The run's as-of instant reaches dbt's as_of() macro in this environment variable, not in
# --vars: dbt parses the whole project again whenever the vars change (macros/as_of.sql).
AS_OF_VARIABLE = "TOUCHPOINT_AS_OF"

# dbt's unit tests check the models' SQL against fixed rows, never the data, and the SQL is the
# same at every run: the test suite runs them (tests/dbt), a run would only wait for them.
DBT_BUILD_ARGS = ("build", "--exclude-resource-type", "unit_test")

# A run carrying this tag ("true") rebuilds dbt's incremental models from all of raw
# (`touchpoint run --full-refresh`, or the tag set on a run launched from the UI): after a raw
# row was fixed or deleted in place, which an incremental build does not see.
FULL_REFRESH_TAG = "touchpoint/dbt_full_refresh"


def full_refresh_tags(full_refresh: bool) -> dict[str, str]:
    return {FULL_REFRESH_TAG: "true"} if full_refresh else {}


def dbt_build_args(run_tags: Mapping[str, str]) -> list[str]:
    """The datamart step's dbt command for a run with these tags."""
    full_refresh = run_tags.get(FULL_REFRESH_TAG) == "true"
    return [*DBT_BUILD_ARGS, *(["--full-refresh"] if full_refresh else [])]


def dbt_executable() -> str:
    """dbt from the running interpreter's environment, so no PATH setup is needed."""
    beside_python = Path(sys.executable).with_name("dbt")
    return str(beside_python) if beside_python.exists() else (shutil.which("dbt") or "dbt")
