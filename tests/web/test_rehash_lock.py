"""A sign-in that stores a stronger hash takes the web app's write lock for that write.

Two first sign-ins of one user at once, each renewing the hash, made DuckDB refuse the second
write with a conflict (a 500); the app's writers take turns under one lock.
"""

from __future__ import annotations

import threading
from typing import Any

from argon2 import PasswordHasher

from trustmeter.store import Store
from trustmeter.web import accounts


class RecordingLock:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.taken = 0

    def __enter__(self) -> Any:
        self.lock.acquire()
        self.taken += 1
        return self

    def __exit__(self, *exc: object) -> None:
        self.lock.release()


def test_the_renewed_hash_is_written_under_the_lock(store: Store) -> None:
    weak = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    old = weak.hash("correct horse battery")
    accounts.add_hashed(store, "ana", old, "viewer")
    lock = RecordingLock()
    user = accounts.authenticate(store, "ana", "correct horse battery", lock)
    assert user is not None
    assert lock.taken == 1
    assert user.password_hash != old
    # A hash that needs no renewal writes nothing, so takes no lock.
    again = RecordingLock()
    assert accounts.authenticate(store, "ana", "correct horse battery", again) is not None
    assert again.taken == 0
    assert accounts.authenticate(store, "ana", "wrong password here", again) is None
    assert again.taken == 0
