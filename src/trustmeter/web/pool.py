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

An embedded (DuckDB) file is held on a lease: DuckDB lets one process open the file, so the
app opens it when a request needs it and closes every connection once no request has used it
for `idle_s`, or at once when a CLI command waits for it (store/dbwait.py). Then new requests
wait (`held`) until the command has the file, and their connection waits for it to be free
again, `wait_s` at most; past that the page answers 503 saying the database is busy.
"""

from __future__ import annotations

import contextlib
import logging
import queue
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TypeVar

from trustmeter.store import Store, connect, migrate
from trustmeter.store.database import DatabaseError, DatabaseInUse, duckdb_path
from trustmeter.store.dbwait import someone_waiting
from trustmeter.workspace import SQL_CACHE

log = logging.getLogger("trustmeter.web")
T = TypeVar("T")


class DatabaseUnavailable(DatabaseError):
    """The database cannot be reached now: the connection was lost, or a new one refused.
    The web app answers 503; the message (for the log) says why."""


class DatabaseBusy(DatabaseUnavailable):
    """Another process (a CLI import, say) held the DuckDB file for longer than a request
    waits. The web app answers 503 and says the database is busy."""


class Database:
    def __init__(
        self, url: str, base: Path, size: int = 8, wait_s: float = 60.0, idle_s: float = 1.0
    ) -> None:
        self.url = url
        self.base = base
        self._size = size
        self.wait_s = wait_s
        self.idle_s = idle_s
        # The lease on an embedded file (None: PostgreSQL or memory, nothing to let go of).
        self.file = duckdb_path(url, base) if url.startswith("duckdb") else None
        self._users = 0  # threads inside `held`
        self._touched = False  # used since the file was last let go of
        self._cond = threading.Condition()
        self._yielding = False  # a command waits for the file: new users wait for it
        self._last_use = time.monotonic()
        self._releasers: list[Callable[[], None]] = []
        self._local = threading.local()
        self._stop = threading.Event()
        self.releases = 0  # how often the file was let go of (for the log and tests)
        # An idle slot holds a connection, or None: room for one to be opened when needed.
        self._idle: queue.LifoQueue[Store | None] = queue.LifoQueue()
        self._made = 0
        self._lock = threading.Lock()
        self.write_lock = threading.Lock()
        with self.connection() as store:
            migrate(store)
        if self.file is not None:
            threading.Thread(target=self._watch, name="db-lease", daemon=True).start()

    def _new(self) -> Store:
        try:
            # No waiting flag: the CLI commands do not yield to the server, they finish.
            store = connect(self.url, base=self.base, wait_s=self.wait_s, flag=False)
        except DatabaseInUse as exc:
            raise DatabaseBusy(str(exc)) from exc
        except DatabaseError as exc:
            raise DatabaseUnavailable(str(exc)) from exc
        # The compiled SQL the CLI keeps in the workspace (store/sqlcache.py): without it the
        # first scorecard after a start compiled every query afresh, most of its wait.
        store.cache_compiled_sql(self.base / SQL_CACHE)
        return store

    # -- the lease on an embedded file --------------------------------------------------------
    @property
    def yielding(self) -> bool:
        """Whether new requests wait now, for a command to have the file."""
        return self._yielding

    def on_release(self, release: Callable[[], None]) -> None:
        """Call `release` (close a connection held outside the pool) when the file is let go."""
        self._releasers.append(release)

    @contextlib.contextmanager
    def held(self) -> Iterator[None]:
        """While inside, the file is not let go of; waits first while a command takes its turn.
        Re-entrant: a thread already inside never waits (it would wait for itself)."""
        depth = getattr(self._local, "depth", 0)
        if self.file is None or depth:
            self._local.depth = depth + 1
            try:
                yield
            finally:
                self._local.depth = depth
            return
        with self._cond:
            while self._yielding:
                self._cond.wait(0.5)
            self._users += 1
            self._touched = True
        self._local.depth = 1
        try:
            yield
        finally:
            self._local.depth = 0
            with self._cond:
                self._users -= 1
                self._last_use = time.monotonic()
                self._cond.notify_all()

    def _watch(self) -> None:
        """Let go of the file when idle, or as soon as the running requests finish when a
        command waits for it; then hold new requests back until the command has it (its
        waiting flag goes) or 5 s pass, after which they wait on the file itself."""
        assert self.file is not None
        yielded_at = 0.0
        while not self._stop.wait(0.05):
            waiting = someone_waiting(self.file)
            with self._cond:
                now = time.monotonic()
                if self._yielding:
                    if not waiting or now - yielded_at > 5:
                        self._yielding = False
                        self._cond.notify_all()
                    elif self._users == 0 and self._touched:
                        self._release("a command waits for it")
                    continue
                if waiting and (self._users or self._touched):
                    self._yielding = True
                    yielded_at = now
                    if self._users == 0:
                        self._release("a command waits for it")
                elif self._users == 0 and self._touched and now - self._last_use >= self.idle_s:
                    self._release("idle")

    def _release(self, why: str) -> None:
        """Close every connection (no request holds one: called with no user inside)."""
        self.releases += 1
        self._touched = False
        log.debug("let go of the database file (%s)", why)
        self._drain()
        for release in self._releasers:
            try:
                release()
            except Exception:  # one failed close must not keep the file held
                log.exception("closing a connection to let go of the database failed")

    def _drain(self) -> None:
        """Close every idle connection, keeping its slot (a None) for the next request."""
        stale: list[Store | None] = []
        while True:
            try:
                stale.append(self._idle.get_nowait())
            except queue.Empty:
                break
        for s in stale:
            if s is not None:
                s.close()
            self._idle.put(None)

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
        self._drain()
        self._idle.put(None)  # the lost connection's slot
        log.warning("lost the connection to the database; reconnecting")

    @contextlib.contextmanager
    def connection(self) -> Iterator[Store]:
        """A connection for this thread alone, returned to the pool afterwards."""
        with self.held(), self._connection() as store:
            yield store

    @contextlib.contextmanager
    def _connection(self) -> Iterator[Store]:
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
        self._stop.set()
        while True:
            try:
                store = self._idle.get_nowait()
            except queue.Empty:
                return
            if store is not None:
                store.close()
