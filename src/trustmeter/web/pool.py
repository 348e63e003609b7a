"""Connections for the web app: a small pool, and one lock that serialises writes.

Each request thread borrows its own connection (DuckDB connections to one file in one
process share the database; PostgreSQL gets one connection each). Writes take the write lock
as well: DuckDB allows one writer at a time and would abort a second concurrent transaction,
and serialising them here keeps survey submissions from racing an upload.

A PostgreSQL server can go away under the app (a restart, a failover). A connection found
lost is closed and left out of the pool, with every idle one (opened to the same server, so
most likely lost too); the pool opens new ones as they are needed. The request that found it
gets `DatabaseUnavailable` (a 503), and `read` tries a read once more on a new connection
first, so after a restart the next requests just work.
"""

from __future__ import annotations

import contextlib
import logging
import queue
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TypeVar

from trustmeter.store import Store, connect, migrate
from trustmeter.store.database import DatabaseError

log = logging.getLogger("trustmeter.web")
T = TypeVar("T")


class DatabaseUnavailable(DatabaseError):
    """The database cannot be reached now: the connection was lost, or a new one refused.
    The web app answers 503; the message (for the log) says why."""


class Database:
    def __init__(self, url: str, base: Path, size: int = 8) -> None:
        self.url = url
        self.base = base
        self._size = size
        # An idle slot holds a connection, or None: room for one to be opened when needed.
        self._idle: queue.LifoQueue[Store | None] = queue.LifoQueue()
        self._made = 0
        self._lock = threading.Lock()
        self.write_lock = threading.Lock()
        with self.connection() as store:
            migrate(store)

    def _new(self) -> Store:
        try:
            return connect(self.url, base=self.base)
        except DatabaseError as exc:
            raise DatabaseUnavailable(str(exc)) from exc

    def _borrow(self) -> Store:
        try:
            store = self._idle.get_nowait()
        except queue.Empty:
            with self._lock:
                grow = self._made < self._size
                if grow:
                    self._made += 1
            store = None if grow else self._idle.get(timeout=60)
        if store is None:
            try:
                store = self._new()
            except BaseException:
                self._idle.put(None)  # the slot stays free for the next request
                raise
        return store

    def lost(self, store: Store) -> None:
        """`store` lost its server: close it and every idle connection, keeping their slots."""
        store.close()
        stale: list[Store | None] = []
        while True:
            try:
                stale.append(self._idle.get_nowait())
            except queue.Empty:
                break
        for s in stale:
            if s is not None:
                s.close()
        for _ in range(len(stale) + 1):
            self._idle.put(None)
        log.warning("lost the connection to the database; reconnecting")

    @contextlib.contextmanager
    def connection(self) -> Iterator[Store]:
        """A connection for this thread alone, returned to the pool afterwards."""
        store = self._borrow()
        try:
            yield store
        except Exception as exc:
            if not store.broken():
                self._idle.put(store)
                raise
            self.lost(store)
            raise DatabaseUnavailable(f"lost the connection to the database: {exc}") from exc
        except BaseException:
            self._idle.put(store)
            raise
        # A failed statement inside `writing` was rolled back by store.transaction().
        if store.broken():
            self.lost(store)
        else:
            self._idle.put(store)

    def read(self, fn: Callable[[Store], T]) -> T:
        """`fn(store)` with a pooled connection; when the connection was lost (the server
        restarted), once more with a new one. Only for reads: a write may have landed."""
        try:
            with self.connection() as store:
                return fn(store)
        except DatabaseUnavailable:
            pass
        with self.connection() as store:
            return fn(store)

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
                store = self._idle.get_nowait()
            except queue.Empty:
                return
            if store is not None:
                store.close()
