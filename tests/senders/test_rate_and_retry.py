"""The token bucket behind TOUCHPOINT_SEND_RATE, and the retry policy, on a fake clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from senders.rate_limit import TokenBucket, rate_limiter
from senders.retry_policy import RetryPolicy


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


def test_the_bucket_allows_a_burst_then_paces_at_the_rate():
    clock = FakeClock()
    bucket = TokenBucket(10, burst=3, clock=clock, sleep=clock.sleep)

    waits = [bucket.acquire() for _ in range(7)]

    assert waits[:3] == [0, 0, 0]
    assert waits[3:] == pytest.approx([0.1] * 4)
    assert clock.now == pytest.approx(0.4)


def test_a_bucket_refills_while_idle_but_never_beyond_its_burst():
    clock = FakeClock()
    bucket = TokenBucket(2, burst=2, clock=clock, sleep=clock.sleep)
    bucket.acquire(), bucket.acquire()

    assert not bucket.try_acquire()
    clock.now += 60
    assert [bucket.try_acquire() for _ in range(3)] == [True, True, False]


def test_a_thousand_messages_at_200_a_second_take_five_seconds():
    clock = FakeClock()
    bucket = TokenBucket(200, clock=clock, sleep=clock.sleep)

    for _ in range(1000):
        bucket.acquire()

    assert clock.now == pytest.approx(4.0)  # the first 200 go at once


def test_no_rate_setting_means_no_limit_and_a_bad_one_is_refused():
    assert rate_limiter(None) is None and rate_limiter(0) is None
    assert rate_limiter(5).rate == 5
    with pytest.raises(ValueError, match="above 0"):
        TokenBucket(-1)


def test_backoff_doubles_up_to_the_cap_then_gives_up():
    policy = RetryPolicy(
        max_attempts=6, base_delay=timedelta(seconds=30), max_delay=timedelta(minutes=5)
    )
    failed_at = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)

    delays = [policy.delay(attempts) for attempts in range(1, 7)]

    assert delays == [timedelta(seconds=s) for s in (30, 60, 120, 240, 300, 300)]
    assert policy.next_attempt_at(failed_at, 1) == failed_at + timedelta(seconds=30)
    assert policy.next_attempt_at(failed_at, 5) == failed_at + timedelta(minutes=5)
    assert policy.next_attempt_at(failed_at, 6) is None
    assert policy.delay(10_000) == timedelta(minutes=5)


def test_a_policy_that_makes_no_sense_is_refused():
    with pytest.raises(ValueError, match="max_attempts"):
        RetryPolicy(max_attempts=0)
    with pytest.raises(ValueError, match="max_delay"):
        RetryPolicy(base_delay=timedelta(minutes=10), max_delay=timedelta(minutes=1))
