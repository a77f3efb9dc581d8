"""Reading a failed dbt build's run_results.json into words an operator can act on."""

from __future__ import annotations

from assets.dbt_build_failures import build_failures

RUN_RESULTS = {
    "results": [
        {"unique_id": "model.touchpoint.stg_crm__customers", "status": "success", "message": ""},
        {
            "unique_id": "model.touchpoint.dim_vehicles",
            "status": "error",
            "message": "Database Error in model dim_vehicles\n  integer out of range\n",
        },
        {"unique_id": "model.touchpoint.trg_vehicle_welcome", "status": "skipped"},
        {"unique_id": "test.touchpoint.unique_dim_vehicles_vehicle_id.4a1b", "status": "skipped"},
        {"unique_id": "test.touchpoint.not_null_dim_customers_id.9f2c", "status": "fail"},
    ]
}


def test_a_failed_model_is_named_with_the_database_error_on_one_line():
    failures = build_failures(RUN_RESULTS)

    assert [(f.kind, f.name, f.message) for f in failures.failed] == [
        ("model", "dim_vehicles", "Database Error in model dim_vehicles integer out of range"),
        ("test", "not_null_dim_customers_id", "no message"),
    ]


def test_models_skipped_because_of_it_are_named_and_their_tests_counted():
    failures = build_failures(RUN_RESULTS)

    assert failures.skipped == ["trg_vehicle_welcome"]
    assert failures.description().splitlines()[-2:] == [
        "Not built this run because of it (1 test skipped too):",
        "  trg_vehicle_welcome",
    ]


def test_a_clean_build_reports_nothing():
    clean = {"results": [{"unique_id": "model.touchpoint.dim_vehicles", "status": "success"}]}

    assert not build_failures(clean)
