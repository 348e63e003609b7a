"""Throttle sign-ins per (user name, client address), counting each attempt before its check.

`attempt` counts the attempt and answers in one step under a lock, before the password is
checked; a success then clears the pair. So 30 guesses sent at once are not all checked
while none has been counted yet: the first `failures` go ahead and the rest wait, whatever
the timing.

Kept in memory: a restart forgets it, and each server process counts on its own. That is
enough against password guessing on one server (argon2 already makes each guess slow); a team
running several processes behind a proxy should throttle there too (docs/web.md). The client
address is the connection's, or the one a configured proxy forwards (`trusted_proxies`).
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable

# Bound the memory a flood of user names could take: the oldest pair is forgotten first.
MAX_PAIRS = 100_000


class LoginThrottle:
    def __init__(
        self, failures: int, window_s: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.failures = failures
        self.window_s = window_s
        self._clock = clock
        self._seen: dict[tuple[str, str], deque[float]] = {}
        self._lock = threading.Lock()

    def _recent(self, key: tuple[str, str]) -> deque[float]:
        q = self._seen.get(key, deque())
        cutoff = self._clock() - self.window_s
        while q and q[0] <= cutoff:
            q.popleft()
        return q

    def attempt(self, username: str, address: str) -> float:
        """Count an attempt for the pair: 0 when it may be checked now (it counts as a failure
        until `succeeded` clears the pair), else the seconds until one may be."""
        key = (username.lower(), address)
        with self._lock:
            q = self._recent(key)
            if len(q) >= self.failures:
                self._seen[key] = q
                return max(0.0, q[0] + self.window_s - self._clock())
            q.append(self._clock())
            self._seen[key] = q
            if len(self._seen) > MAX_PAIRS:
                self._seen.pop(next(iter(self._seen)))
            return 0.0

    def succeeded(self, username: str, address: str) -> None:
        with self._lock:
            self._seen.pop((username.lower(), address), None)
