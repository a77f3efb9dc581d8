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


def _failed_run_context(tags: dict):
    from dagster import DagsterInstance, DagsterRunStatus, build_run_status_sensor_context, job, op

    @op(name="datamart")
    def broken_build():
        raise RuntimeError("dbt build failed")

    @job(name="touchpoint_daily")
    def daily():
        broken_build()

    instance = DagsterInstance.ephemeral()
    result = daily.execute_in_process(instance=instance, raise_on_error=False, tags=tags)
    failure = next(e for e in result.all_events if e.event_type_value == "PIPELINE_FAILURE")
    run = instance.get_run_by_id(result.run_id)
    assert run.status == DagsterRunStatus.FAILURE
    context = build_run_status_sensor_context(
        sensor_name="carry_on_after_datamart_failure",
        dagster_event=failure,
        dagster_instance=instance,
        dagster_run=run,
    )
    return daily, context.for_run_failure()


def _carry_on_sensor(monitored):
    from dagster import job

    from sensors.datamart_failure import CarryOn, build_carry_on_sensor

    @job(name="carry_on_after_datamart_failure")
    def carry_on_job():
        pass

    return build_carry_on_sensor(
        CarryOn(SOURCE_OF, [EMAIL, SMS], "datamart"), [monitored], carry_on_job
    )


def test_a_run_launched_by_touchpoint_run_is_left_to_it_to_carry_on():
    daily, context = _failed_run_context({"touchpoint/trigger": "cli"})

    skip = _carry_on_sensor(daily)(context)

    assert "launched by touchpoint run" in skip.skip_message


def test_a_scheduled_run_that_failed_in_dbt_is_looked_at():
    daily, context = _failed_run_context({})

    skip = _carry_on_sensor(daily)(context)

    # looked at: nothing to carry on, as the run planned no campaign
    assert skip.skip_message.startswith(
        f"run {context.dagster_run.run_id} left nothing to carry on"
    )
