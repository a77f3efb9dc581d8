"""A token bucket per channel, for ``TOUCHPOINT_SEND_RATE`` (messages per second).

Providers cap the send rate (SES's per-second quota, an SMTP relay's throttle); a steady pace
under the cap keeps them from answering 4xx and 429 by the thousand. The bucket starts full,
so a batch may start with a burst of ``burst`` messages, then goes at ``rate`` a second.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

# A wait computed to the exact refill can land a hair short of a whole token in floating point;
# without a tolerance, the next wait may be too small to move the clock at all.
_ROUNDING = 1e-9


class TokenBucket:
    def __init__(
        self,
        rate: float,
        burst: float | None = None,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if rate <= 0:
            raise ValueError(f"a send rate must be above 0 messages a second, got {rate}")
        self.rate = rate
        self.capacity = burst if burst is not None else max(1.0, rate)
        if self.capacity < 1:
            raise ValueError(f"the burst must hold at least one message, got {burst}")
        self._clock, self._sleep = clock, sleep
        self._tokens = self.capacity
        self._updated = clock()
        self._lock = threading.Lock()

    def try_acquire(self) -> bool:
        """Take a token if one is there now."""
        return self._take() == 0

    def acquire(self) -> float:
        """Take a token, waiting for it if need be; returns the seconds waited."""
        waited = 0.0
        while (wait := self._take()) > 0:
            self._sleep(wait)
            waited += wait
        return waited

    def _take(self) -> float:
        """Take a token and return 0, or return how long until one is there."""
        with self._lock:
            now = self._clock()
            self._tokens = min(self.capacity, self._tokens + (now - self._updated) * self.rate)
            self._updated = now
            if self._tokens >= 1 - _ROUNDING:
                self._tokens -= 1
                return 0.0
            return (1 - self._tokens) / self.rate


def rate_limiter(rate: float | None) -> TokenBucket | None:
    """The bucket for a ``TOUCHPOINT_SEND_RATE`` value; unset or 0 means no limit."""
    return TokenBucket(rate) if rate else None
