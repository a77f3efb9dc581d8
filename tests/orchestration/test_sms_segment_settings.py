"""TOUCHPOINT_SMS_MAX_SEGMENTS: read and checked like every setting, and enforced by whichever
SMS sender the settings choose."""

from __future__ import annotations

import json

import pytest

from models.messages import Accepted, SendFailure
from orchestration.settings import load_settings
from tests.orchestration.configured_senders import configured_senders
from tests.senders.outbox_rows import sms_message

FOUR_SEGMENTS = "a" * (3 * 153 + 1)


@pytest.fixture
def env(monkeypatch, tmp_path):
    for name in ("TOUCHPOINT_SMS_MAX_SEGMENTS", "TOUCHPOINT_SMS_SENDER"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("TOUCHPOINT_HOME", str(tmp_path / "home"))
    return monkeypatch


def test_sms_are_capped_at_three_segments_unless_told_otherwise(env):
    assert load_settings().sms_max_segments == 3
    env.setenv("TOUCHPOINT_SMS_MAX_SEGMENTS", " 5 ")
    assert load_settings().sms_max_segments == 5


@pytest.mark.parametrize("value", ["0", "-2", "three", "2.5"])
def test_a_cap_that_is_not_a_whole_number_of_at_least_one_is_refused_by_name(env, value):
    env.setenv("TOUCHPOINT_SMS_MAX_SEGMENTS", value)
    with pytest.raises(ValueError, match="TOUCHPOINT_SMS_MAX_SEGMENTS must be a whole number"):
        load_settings()


def test_the_sms_sender_refuses_an_sms_over_the_cap_and_writes_nothing(env):
    settings = load_settings()

    with configured_senders(settings) as senders, senders.open("sms") as sender:
        over = sender.send(sms_message(sms_text=FOUR_SEGMENTS))
        within = sender.send(sms_message(sms_text="a" * 3 * 153))

    assert over == SendFailure.permanent(
        "SMS is 4 segments (460 septets of GSM-7), above the limit of 3 "
        "(TOUCHPOINT_SMS_MAX_SEGMENTS)"
    )
    assert isinstance(within, Accepted)
    [written] = settings.file_outbox_dir.glob("*.json")
    assert json.loads(written.read_text())["segments"] == 3


def test_a_higher_cap_lets_a_longer_sms_through(env):
    env.setenv("TOUCHPOINT_SMS_MAX_SEGMENTS", "4")

    with configured_senders(load_settings()) as senders, senders.open("sms") as sender:
        result = sender.send(sms_message(sms_text=FOUR_SEGMENTS))

    assert isinstance(result, Accepted) and result.detail["segments"] == 4
