"""Connections for the web app: a small pool, and one lock that serialises writes.

Each request thread borrows its own connection (DuckDB connections to one file in one
process share the database; PostgreSQL gets one connection each). Writes take the write lock
as well: DuckDB allows one writer at a time and would abort a second concurrent transaction,
and serialising them here keeps survey submissions from racing an upload.
"""

from __future__ import annotations

import contextlib
import queue
import threading
from collections.abc import Iterator
from pathlib import Path

from trustmeter.store import Store, connect, migrate


class Database:
    def __init__(self, url: str, base: Path, size: int = 8) -> None:
        self.url = url
        self.base = base
        self._size = size
        self._idle: queue.LifoQueue[Store] = queue.LifoQueue()
        self._made = 0
        self._lock = threading.Lock()
        self.write_lock = threading.Lock()
        with self.connection() as store:
            migrate(store)

    def _new(self) -> Store:
        return connect(self.url, base=self.base)

    @contextlib.contextmanager
    def connection(self) -> Iterator[Store]:
        """A connection for this thread alone, returned to the pool afterwards."""
        try:
            store = self._idle.get_nowait()
        except queue.Empty:
            with self._lock:
                grow = self._made < self._size
                if grow:
                    self._made += 1
            store = self._new() if grow else self._idle.get(timeout=60)
        try:
            yield store
        finally:
            # A failed statement inside `writing` was rolled back by store.transaction().
            self._idle.put(store)

    @contextlib.contextmanager
    def writing(self) -> Iterator[Store]:
        """A connection inside one transaction, with the write lock held: all or nothing."""
        with self.write_lock, self.connection() as store, store.transaction():
            yield store

    def dedicated(self) -> Store:
        """A connection outside the pool, for the scorecard computations (their own lock)."""
        return self._new()

    def close(self) -> None:
        while True:
            try:
                self._idle.get_nowait().close()
            except queue.Empty:
                return
