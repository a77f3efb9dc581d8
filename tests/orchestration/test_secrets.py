"""No password reaches what the Dagster UI shows: the code location's resources (the UI's
resource pages and GraphQL), a run's stored config and job snapshot, its event log and logs.
Nor does the code location leave any in the process's environment."""

from __future__ import annotations

import os
import secrets
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest
from dagster import AssetKey, instance_for_test
from dagster._core.remote_representation.external_data import RepositorySnap
from dagster._serdes import serialize_value
from psycopg import sql

from tests.assets.test_crm_database import CRM_SCHEMA, add_customer
from tests.conftest import TEST_HOME

SMTP_URL = "smtps://mailer:pw-smtp@relay.example:465"
TRACKING_SECRET = "tracking-secret-" + secrets.token_hex(8)
QUEUE_URL = "http://127.0.0.1:1/123456789012/ses-events"
SECRET_VARIABLES = (
    "TOUCHPOINT_DATABASE_URL",
    "TOUCHPOINT_CRM_URL",
    "TOUCHPOINT_SMTP_URL",
    "TOUCHPOINT_SECRET",
)


def with_login(url: str, user: str, password: str) -> str:
    """``url`` (the test server's, naming its password file) as ``user:password`` instead."""
    parts = urlsplit(url)
    return urlunsplit(parts._replace(netloc=f"{user}:{password}@{parts.netloc.split('@')[1]}"))


def login_role(admin_url: str, database_url: str, prefix: str) -> str:
    """A role owning the database behind ``database_url``; its URL carries its password."""
    role, password = f"{prefix}_{uuid.uuid4().hex[:6]}", f"pw-{secrets.token_hex(12)}"
    database = urlsplit(database_url).path.lstrip("/")
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(
            sql.SQL("create role {} login password {}").format(
                sql.Identifier(role), sql.Literal(password)
            )
        )
        conn.execute(
            sql.SQL("alter database {} owner to {}").format(
                sql.Identifier(database), sql.Identifier(role)
            )
        )
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute(sql.SQL("alter schema public owner to {}").format(sql.Identifier(role)))
    return with_login(database_url.split("?")[0], role, password)


def password_of(url: str) -> str:
    return urlsplit(url).password


def repository_snapshot(defs) -> str:
    """The code location as the webserver receives it and serves it over GraphQL."""
    return serialize_value(RepositorySnap.from_def(defs.get_repository_def()))


def stored_run(instance, run_id: str) -> str:
    """Everything the instance keeps of a run: config, tags, snapshots, event log, log files."""
    run = instance.get_run_by_id(run_id)
    pieces = [
        serialize_value(run),
        serialize_value(instance.get_job_snapshot(run.job_snapshot_id)),
        serialize_value(instance.get_execution_plan_snapshot(run.execution_plan_snapshot_id)),
        *(serialize_value(entry) for entry in instance.all_logs(run_id)),
    ]
    for path in Path(instance.root_directory).rglob("*"):
        if path.is_file():
            pieces.append(path.read_bytes().decode(errors="replace"))
    return "\n".join(pieces)


def test_every_password_and_secret_stays_out_of_the_ui_and_the_run_records(
    pg_server, make_database, monkeypatch, tmp_path, dbt_manifest
):
    from orchestration.definitions import build_definitions  # builds the default defs first
    from orchestration.settings import load_settings

    admin = pg_server.url("postgres")
    datamart_url = login_role(admin, make_database("ext_datamart"), "tp_datamart")
    crm_url = login_role(admin, make_database("ext_crm"), "tp_crm")
    with psycopg.connect(crm_url) as conn:
        conn.execute(CRM_SCHEMA)
    add_customer(crm_url, "C1", "2026-01-01T00:00:00+00:00")
    monkeypatch.setenv("TOUCHPOINT_DATABASE_URL", datamart_url)
    monkeypatch.setenv("TOUCHPOINT_CRM_URL", crm_url)
    monkeypatch.setenv("TOUCHPOINT_LANDING", str(tmp_path / "landing"))
    monkeypatch.setenv("TOUCHPOINT_SMTP_URL", SMTP_URL)
    monkeypatch.setenv("TOUCHPOINT_SECRET", TRACKING_SECRET)
    monkeypatch.setenv("TOUCHPOINT_EVENTS_QUEUE_URL", QUEUE_URL)
    defs = build_definitions(load_settings())
    with instance_for_test() as instance:
        result = defs.resolve_implicit_global_asset_job_def().execute_in_process(
            asset_selection=[AssetKey(["raw", "crm_customers"])], instance=instance
        )
        records = stored_run(instance, result.run_id)
    shown = repository_snapshot(defs)

    assert result.success
    for variable in SECRET_VARIABLES:
        assert variable in shown and variable in records
    for secret in (password_of(datamart_url), password_of(crm_url), "pw-smtp", TRACKING_SECRET):
        assert secret not in shown
        assert secret not in records
    with psycopg.connect(datamart_url) as conn:
        assert conn.execute("select count(*) from raw.crm_customers").fetchone() == (1,)


def test_the_embedded_servers_password_stays_out_of_the_ui(dbt_manifest, monkeypatch):
    from orchestration.definitions import build_definitions
    from orchestration.settings import load_settings

    monkeypatch.delenv("TOUCHPOINT_DATABASE_URL", raising=False)
    password = (TEST_HOME / "pg-password").read_text().strip().rsplit(":", 1)[1]
    shown = repository_snapshot(build_definitions(load_settings()))

    assert "passfile" in shown, "the warehouse URL is in the snapshot, naming its password file"
    assert password not in shown


@pytest.mark.parametrize(
    "crm_url",
    [
        "postgresql://crm@db.internal:5432/crm?password=pw-in-the-query",
        "mssql+pyodbc:///?odbc_connect=DRIVER%3DODBC%3BSERVER%3Ddb%3BUID%3Dcrm%3BPWD%3Dpw-odbc",
    ],
)
def test_a_password_anywhere_in_a_url_from_the_environment_stays_out_of_the_ui(
    crm_url, dbt_manifest, monkeypatch
):
    from orchestration.definitions import build_definitions
    from orchestration.settings import load_settings

    monkeypatch.setenv("TOUCHPOINT_CRM_URL", crm_url)
    shown = repository_snapshot(build_definitions(load_settings()))

    assert "TOUCHPOINT_CRM_URL" in shown
    assert "pw-" not in shown


def test_building_the_code_location_leaves_the_environment_as_it_was(dbt_manifest, monkeypatch):
    from orchestration.definitions import build_definitions
    from orchestration.settings import load_settings

    monkeypatch.setenv("TOUCHPOINT_EVENTS_QUEUE_URL", QUEUE_URL)
    before = dict(os.environ)
    build_definitions(load_settings())

    assert dict(os.environ) == before
