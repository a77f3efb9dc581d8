"""When to try a retryable failure again: exponential backoff with a cap, then give up.

Only ``SendFailure(retryable=True)`` comes here; a permanent or in-doubt failure is never
retried. Attempt ``n`` (counting the first send as 1) failed, so attempt ``n + 1`` waits
``base_delay * 2 ** (n - 1)``, at most ``max_delay``; after ``max_attempts`` attempts the
message is ``failed`` with the provider's last reason. With the defaults (30 s, doubling, an
hour at most, 8 attempts) a message gives up about an hour after its first try: past
greylisting (minutes) and a throttled quarter of an hour, well before a campaign expires.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int = 8
    base_delay: timedelta = timedelta(seconds=30)
    max_delay: timedelta = timedelta(hours=1)

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ValueError(f"max_attempts must be at least 1, got {self.max_attempts}")
        if self.base_delay <= timedelta(0) or self.max_delay < self.base_delay:
            raise ValueError("delays must be positive, and max_delay at least base_delay")

    def delay(self, attempts: int) -> timedelta:
        """The wait after the ``attempts``-th attempt failed."""
        if attempts < 1:
            raise ValueError(f"attempts counts from 1, got {attempts}")
        # Cap the exponent before multiplying: 2 ** 1000 seconds is not a timedelta.
        doublings = min(attempts - 1, 40)
        return min(self.base_delay * 2**doublings, self.max_delay)

    def next_attempt_at(self, failed_at: datetime, attempts: int) -> datetime | None:
        """When to try again after ``attempts`` attempts, or None: give up, record ``failed``."""
        if attempts >= self.max_attempts:
            return None
        return failed_at + self.delay(attempts)
