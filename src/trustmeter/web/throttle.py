"""Throttle failed sign-ins per (user name, client address).

Kept in memory: a restart forgets it, and each server process counts on its own. That is
enough against password guessing on one server (argon2 already makes each guess slow); a team
running several processes behind a proxy should throttle there too (docs/web.md).
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable


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

    def retry_after(self, username: str, address: str) -> float:
        """Seconds until another attempt is allowed; 0 when it is allowed now."""
        key = (username.lower(), address)
        with self._lock:
            q = self._recent(key)
            if not q:
                self._seen.pop(key, None)
            if len(q) < self.failures:
                return 0.0
            return max(0.0, q[0] + self.window_s - self._clock())

    def failed(self, username: str, address: str) -> None:
        key = (username.lower(), address)
        with self._lock:
            q = self._recent(key)
            q.append(self._clock())
            self._seen[key] = q
            if len(self._seen) > 100_000:  # bound the memory a flood of names could take
                self._seen.pop(next(iter(self._seen)))

    def succeeded(self, username: str, address: str) -> None:
        with self._lock:
            self._seen.pop((username.lower(), address), None)
