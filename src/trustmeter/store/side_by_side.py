"""Independent queries side by side, each on a connection of its own (PostgreSQL).

A scorecard's metrics are independent queries. DuckDB already runs each one on every core.
A PostgreSQL server runs a query on one core: its parallel workers measured no faster on
the scoring queries here, because they hand millions of rows back through one gather. So
the scorer runs its metrics in a few threads, each with its own connection to the same
database, and the server works on their queries at the same time (bench/README.md has the
figures).

A job runs as it would alone: the expressions stay bound to the scorer's store (a record's
drill-down later runs there), and only where they execute changes. `fetch`
(metrics/model.py) executes on `current()`, the thread's own connection, when there is one;
that connection compiles through the store's compiled-SQL cache, as the store does.
Anything else a job needs from the database (table schemas, facts learnt once) is read
before the jobs start, so that no two threads share a connection.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractContextManager
from contextvars import ContextVar
from typing import TypeVar

from ibis.backends import BaseBackend

from trustmeter.store.database import DatabaseError, Store, connect

R = TypeVar("R")

# How many connections at most: TRUSTMETER_PG_CONNECTIONS, else as many as this machine has
# cores, up to four (the server is often this machine, or one no smaller).
ENV = "TRUSTMETER_PG_CONNECTIONS"
_CURRENT: ContextVar[BaseBackend | None] = ContextVar("trustmeter_connection", default=None)


def current() -> BaseBackend | None:
    """The connection this thread's queries run on, or None: the expression's own."""
    return _CURRENT.get()


def connections(store: Store) -> int:
    """How many connections `run` may use for `store`: 1 (one after another) but on
    PostgreSQL."""
    if store.engine != "postgres":
        return 1
    raw = os.environ.get(ENV, "").strip()
    if raw:
        try:
            n = int(raw)
        except ValueError:
            raise DatabaseError(f"{ENV}={raw!r}: expected a whole number of connections") from None
        if n < 1:
            raise DatabaseError(f"{ENV}={raw!r}: expected at least 1 connection")
        return n
    return max(1, min(4, os.cpu_count() or 1))


def run(store: Store, jobs: Sequence[Callable[[], R]]) -> list[R]:
    """Each job's result, in order. On PostgreSQL the jobs run in up to `connections(store)`
    threads, each on its own connection with the store's scoring settings; elsewhere, or with
    one job or one connection, one after another in this thread.

    The first job to fail stops the rest from starting, and its error is raised here; every
    connection opened is closed.
    """
    n = min(connections(store), len(jobs))
    if n <= 1:
        return [job() for job in jobs]
    local = threading.local()
    opened: list[tuple[Store, AbstractContextManager[None]]] = []
    lock = threading.Lock()

    def start() -> None:
        own = connect(store.url)
        if store.sql_cache is not None:  # the same compiled-SQL cache as the scorer's store
            own.con.compile = store.sql_cache.wrap(own.con.compile)
            own.sql_cache = store.sql_cache
        settings = own.analytic()
        with lock:
            opened.append((own, settings))
        settings.__enter__()
        local.store = own

    def call(job: Callable[[], R]) -> R:
        if not hasattr(local, "store"):
            start()  # here, not as the pool's initializer: its error reaches the caller
        token = _CURRENT.set(local.store.con)
        try:
            return job()
        finally:
            _CURRENT.reset(token)

    try:
        with ThreadPoolExecutor(n, "trustmeter-query") as pool:
            futures = [pool.submit(call, job) for job in jobs]
            try:
                return [f.result() for f in futures]
            except BaseException:
                for f in futures:
                    f.cancel()
                raise
    finally:
        for own, settings in opened:  # the threads are done: nothing else uses these now
            try:
                settings.__exit__(None, None, None)
            finally:
                own.close()
