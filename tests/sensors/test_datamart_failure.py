"""Carrying on after a failed dbt build: the campaigns whose sources were built, then dispatch."""

from __future__ import annotations

from dagster import AssetKey

from sensors.datamart_failure import carry_on_selection

BIRTHDAY, WELCOME = AssetKey(["campaigns", "birthday"]), AssetKey(["campaigns", "vehicle_welcome"])
TRG_BIRTHDAY, TRG_WELCOME = AssetKey(["triggers", "trg_birthday"]), AssetKey(["trg_welcome"])
EMAIL, SMS = AssetKey(["dispatch", "email"]), AssetKey(["dispatch", "sms"])
SOURCE_OF = {BIRTHDAY: TRG_BIRTHDAY, WELCOME: TRG_WELCOME}
PLANNED = {BIRTHDAY, WELCOME, TRG_BIRTHDAY, TRG_WELCOME, EMAIL, SMS}


def select(failed_steps, planned=PLANNED, materialized=frozenset({TRG_BIRTHDAY})):
    return carry_on_selection(
        failed_steps, set(planned), set(materialized), SOURCE_OF, [EMAIL, SMS], "datamart"
    )


def test_after_a_dbt_failure_the_campaigns_whose_trigger_was_built_are_judged_then_sent():
    assert select(["datamart"]) == [BIRTHDAY, EMAIL, SMS]


def test_a_run_that_did_not_fail_in_dbt_is_not_carried_on():
    assert select(["campaigns"]) == []


def test_campaigns_the_run_did_not_plan_are_left_to_their_own_jobs():
    planned = {TRG_BIRTHDAY, TRG_WELCOME}

    assert select(["datamart"], planned=planned) == []
