"""Connect to a workspace's database by URL, and the few statements that differ per engine.

DuckDB is the embedded default; PostgreSQL serves a team. Metrics never see this module's
SQL: they read ibis tables from `Store.table`. Writes (migrations, imports) go through here.
A warehouse (Spark, Trino, BigQuery, Snowflake) is read only: scoring reads its record tables
through ibis, and every write is refused (docs/warehouse.md).
"""

from __future__ import annotations

import contextlib
import io
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

import ibis
import pyarrow as pa
import pyarrow.csv as pacsv
from ibis.backends import BaseBackend
from ibis.common.exceptions import TableNotFound

from trustmeter.errors import TrustmeterError
from trustmeter.store.dbwait import holder, open_waiting
from trustmeter.store.spark import connect_spark


class DatabaseError(TrustmeterError):
    """The database could not be opened or used; the message says why and what to do."""


class DatabaseInUse(DatabaseError):
    """Another process holds the embedded database file (DuckDB allows one at a time)."""


class MissingTable(DatabaseError, TableNotFound):  # type: ignore[misc]  # ibis is untyped
    """A warehouse has no table of that name (still a TableNotFound, which metrics handle)."""


def q(name: str) -> str:
    """Quote an identifier: record fields include words such as `group` and `key`."""
    return '"' + name.replace('"', '""') + '"'


@dataclass
class Store:
    url: str
    con: BaseBackend
    engine: str  # "duckdb", "postgres" or "warehouse" (read only: Spark, Trino, BigQuery, …)
    sql_cache: Any = None  # the compiled-SQL cache, when cache_compiled_sql turned it on

    @property
    def read_only(self) -> bool:
        """A warehouse where the records already live: trustmeter reads it and never writes."""
        return self.engine == "warehouse"

    def cache_compiled_sql(self, folder: Path) -> None:
        """Keep compiled SQL in `folder`, so each distinct query compiles once (sqlcache.py)."""
        from trustmeter.store.sqlcache import SQLCache, dialect_of

        cache = SQLCache(folder, dialect_of(self.con))
        self.con.compile = cache.wrap(self.con.compile)
        self.sql_cache = cache

    @contextlib.contextmanager
    def analytic(self) -> Iterator[None]:
        """Scoring queries: on PostgreSQL, hash joins and hash aggregation (no nested loops,
        merge joins or sorts where the planner has another way) and no JIT, while inside.

        The planner estimates a handful of rows for the derived filters the metrics use
        (trimmed, lower-cased environments; a window's latest row; a period's bucket) and
        then nests loops over tables of millions of rows: measured on 500,000 changes and 2
        million incidents, change failure rate did not finish in 60 s, and took 3.7 s
        without nested loops. It then sorted millions of work items to merge-join them with
        the few periods (unplanned work 4.0 s, 2.7 s hashed). Scoring reads whole periods,
        where hash joins are the right plan whatever the estimate; writes keep the planner's
        choice. JIT compilation of these large plans cost more than it saved (major
        incidents 3.9 s with it, 2.2 s without; request lead time 19.9 s and 15.6 s). The
        same estimates make it sort millions of records to group them into what it expects to
        be more groups than memory holds, where there are a thousand: run share's grouping
        took 7.2 s sorted, 4.0 s hashed. A percentile or a window still sorts: it has no other
        way.
        """
        if self.engine != "postgres":
            yield
            return
        self.execute("SET enable_nestloop = off")
        self.execute("SET enable_mergejoin = off")
        self.execute("SET jit = off")
        self.execute("SET enable_sort = off")
        try:
            yield
        finally:
            if not self.broken():
                self.execute("RESET enable_nestloop")
                self.execute("RESET enable_mergejoin")
                self.execute("RESET jit")
                self.execute("RESET enable_sort")

    # -- reading -----------------------------------------------------------------------------
    def table(self, name: str) -> ibis.Table:
        if not self.read_only:
            return self.con.table(name)
        try:
            return self.con.table(name)
        except TableNotFound as exc:
            raise MissingTable(
                f"the warehouse at {_hide_password(self.url)} has no table {name!r}: trustmeter "
                "reads the canonical record tables there (an empty table will do for records "
                "you do not keep; see docs/warehouse.md)"
            ) from exc

    def fetch(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        cur = self._execute(sql, params)
        try:
            return list(cur.fetchall())
        finally:
            self._done(cur)

    def scalar(self, sql: str, params: Sequence[Any] = ()) -> Any:
        rows = self.fetch(sql, params)
        return rows[0][0] if rows else None

    # -- writing -----------------------------------------------------------------------------
    def execute(self, sql: str, params: Sequence[Any] = ()) -> None:
        self._done(self._execute(sql, params))

    def _done(self, cur: Any) -> None:
        # DuckDB's execute returns the connection itself: closing it would close the database.
        if self.engine != "duckdb":
            cur.close()

    def _refuse(self) -> None:
        if self.read_only:
            raise DatabaseError(
                f"{_hide_password(self.url)} is a read-only warehouse: trustmeter scores the "
                "record tables there but never writes to it or runs its own SQL on it. Imports, "
                "migrations, the forecast ledger and the web app need a DuckDB or PostgreSQL "
                "workspace database."
            )

    def _execute(self, sql: str, params: Sequence[Any] = ()) -> Any:
        self._refuse()
        raw = self.con.con
        if self.engine == "duckdb":
            return raw.execute(sql, list(params)) if params else raw.execute(sql)
        cur = raw.cursor()
        cur.execute(sql.replace("?", "%s") if params else sql, list(params) if params else None)
        return cur

    @contextlib.contextmanager
    def transaction(self) -> Iterator[None]:
        """All or nothing: an import either lands whole or leaves the database as it was."""
        self._refuse()
        raw = self.con.con
        if self.engine == "duckdb":
            raw.execute("BEGIN TRANSACTION")
            try:
                yield
            except BaseException:
                raw.execute("ROLLBACK")
                raise
            raw.execute("COMMIT")
        else:
            with raw.transaction():
                yield

    def load_arrow(self, name: str, data: pa.Table) -> None:
        """Bulk-load an Arrow table into an existing (temporary) table of the same columns."""
        self._refuse()
        cols = ", ".join(q(c) for c in data.column_names)
        if self.engine == "duckdb":
            raw = self.con.con
            order = [r[0] for r in raw.execute(f"SELECT * FROM {q(name)} LIMIT 0").description]
            if set(order) == set(data.column_names):
                # A relation, not a registered view: DuckDB keeps a registered Arrow table
                # alive until the transaction ends, which made a 2-million-row import hold
                # every batch in memory at once.
                raw.from_arrow(data.select(order)).insert_into(name)
                return
            raw.register("_tm_arrow", data)
            try:
                raw.execute(f"INSERT INTO {q(name)} ({cols}) SELECT {cols} FROM _tm_arrow")
            finally:
                raw.unregister("_tm_arrow")
            return
        # PostgreSQL: stream CSV blocks through COPY. Arrow writes nulls as bare empty fields
        # and empty strings as "", which is exactly how COPY's CSV format tells them apart.
        raw = self.con.con
        sql = f"COPY {q(name)} ({cols}) FROM STDIN (FORMAT csv)"
        with raw.cursor() as cur, cur.copy(sql) as copy:
            for batch in data.to_batches(max_chunksize=50_000):
                buf = io.BytesIO()
                pacsv.write_csv(
                    pa.Table.from_batches([batch]), buf, pacsv.WriteOptions(include_header=False)
                )
                copy.write(buf.getvalue())

    @contextlib.contextmanager
    def memory_capped(self, limit: str) -> Iterator[None]:
        """DuckDB: cap its memory (a size such as "512MB") for a while, then restore it.
        PostgreSQL's memory is the server's business: nothing changes there."""
        if self.engine != "duckdb":
            yield
            return
        before = self.scalar("SELECT current_setting('memory_limit')")
        self.execute(f"SET memory_limit = '{_size(limit)}'")
        try:
            yield
        finally:
            self.execute(f"SET memory_limit = '{_size(str(before))}'")

    def checkpoint(self) -> None:
        """DuckDB: write the write-ahead log into the database file now."""
        if self.engine == "duckdb":
            self.execute("CHECKPOINT")

    @contextlib.contextmanager
    def staged(
        self, name: str, data: pa.Table, columns: Sequence[tuple[str, str]]
    ) -> Iterator[Stage]:
        """`data` readable as the table `name` by the statements run through the Stage.

        On DuckDB the Arrow data is queried in place (a relation bound to `name` for each
        statement): a temporary table filled inside a transaction stays in memory until the
        transaction ends, so a big import staged that way holds all its rows at once. On
        PostgreSQL it is a temporary table loaded through COPY and dropped afterwards.
        """
        if self.engine == "duckdb":
            yield Stage(self, name, self.con.con.from_arrow(data))
            return
        self.temp_table(name, columns)
        self.load_arrow(name, data)
        try:
            yield Stage(self, name, None)
        finally:
            self.execute(f"DROP TABLE IF EXISTS {q(name)}")

    def temp_table(self, name: str, columns: Sequence[tuple[str, str]]) -> None:
        self.execute(f"DROP TABLE IF EXISTS {q(name)}")
        cols = ", ".join(f"{q(c)} {t}" for c, t in columns)
        self.execute(f"CREATE TEMPORARY TABLE {q(name)} ({cols})")

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.con.disconnect()

    def broken(self) -> bool:
        """Whether the connection to the database server is gone (PostgreSQL restarted, or the
        network dropped it): no statement will work on it again, a new connection may. psycopg
        marks a connection closed once a statement has found it lost. DuckDB runs in this
        process: its connection never breaks so."""
        if self.engine != "postgres":
            return False
        raw = getattr(self.con, "con", None)
        return raw is None or bool(getattr(raw, "closed", False))


@dataclass
class Stage:
    """Statements over staged rows (see `Store.staged`); they name the stage by its name."""

    store: Store
    name: str
    relation: Any  # a DuckDB relation over the Arrow data, or None for a temporary table

    def execute(self, sql: str) -> None:
        if self.relation is None:
            self.store.execute(sql)
        else:
            self.relation.query(self.name, sql)

    def fetch(self, sql: str) -> list[tuple[Any, ...]]:
        if self.relation is None:
            return self.store.fetch(sql)
        return list(self.relation.query(self.name, sql).fetchall())


def _size(text: str) -> str:
    """A memory size as DuckDB reads it ("512MB", "1.5 GiB"); anything else is refused."""
    if not re.fullmatch(r"\s*\d+(\.\d+)?\s*[KMGT]i?B\s*", text, re.IGNORECASE):
        raise DatabaseError(f"not a memory size: {text!r} (expected e.g. 512MB or 2GB)")
    return text.strip()


def sql_type(field_type: str) -> str:
    """The column type for a record field, the same words on DuckDB and PostgreSQL."""
    return {
        "timestamp": "TIMESTAMP",
        "date": "DATE",
        "number": "DOUBLE PRECISION",
        "integer": "BIGINT",
        "bool": "BOOLEAN",
    }.get(field_type, "TEXT")


# ibis backends that read a warehouse where the records already live, by URL scheme.
WAREHOUSES = {
    "spark": "Spark",
    "sc": "Spark Connect",
    "trino": "Trino",
    "bigquery": "BigQuery",
    "snowflake": "Snowflake",
}


def duckdb_path(url: str, base: Path | None = None) -> Path | None:
    """The file a `duckdb://` URL names (relative to `base`); None for memory or another URL.

    `duckdb:///file.duckdb` is relative, `duckdb:////abs/file.duckdb` absolute.
    """
    if urlparse(url).scheme.split("+")[0] != "duckdb":
        return None
    raw = unquote(url[len("duckdb://") :])
    path = raw[1:] if raw.startswith("/") else raw
    if path in ("", ":memory:"):
        return None
    p = Path(path)
    return base / p if not p.is_absolute() and base is not None else p


def connect(
    url: str,
    base: Path | None = None,
    read_only: bool = False,
    wait_s: float = 0.0,
    flag: bool = True,
) -> Store:
    """Open a database by URL: `duckdb:///path/file.duckdb` (relative to `base`),
    `postgresql://…`, or a read-only warehouse (`spark://local`, `trino://…`, …). A DuckDB
    file another process holds is waited for, `wait_s` seconds at most (store/dbwait.py)."""
    # Not urlparse: it rejects Spark's `local[4]` as a malformed IPv6 host.
    scheme = url.partition(":")[0].split("+")[0].lower()
    if scheme in WAREHOUSES:
        return Store(url, _connect_warehouse(scheme, url), "warehouse")
    parsed = urlparse(url)
    scheme = parsed.scheme.split("+")[0]
    if scheme == "duckdb":
        p = duckdb_path(url, base)
        if p is None:
            return Store(url, ibis.duckdb.connect(), "duckdb")
        try:
            con = open_waiting(
                lambda: ibis.duckdb.connect(str(p), read_only=read_only), p, wait_s, flag
            )
        except Exception as exc:  # duckdb raises IOException for a lock held elsewhere
            held = holder(exc)
            if held:
                waited = f" (waited {wait_s:g} s)" if wait_s else ""
                raise DatabaseInUse(
                    f"the workspace database {p} is in use by another process "
                    f"({held[0]}, PID {held[1]}){waited}. DuckDB allows one process at a time: "
                    "wait for that command to finish (`trustmeter serve` lets go of the file "
                    "when it is idle), raise TRUSTMETER_DB_WAIT, or move the workspace to "
                    "PostgreSQL for shared use."
                ) from exc
            raise DatabaseError(f"cannot open the workspace database {p}: {exc}") from exc
        return Store(url, con, "duckdb")
    if scheme in ("postgres", "postgresql"):
        try:
            con = ibis.connect(url.replace("postgresql+psycopg://", "postgresql://"))
        except Exception as exc:
            safe = _hide_password(url)
            raise DatabaseError(f"cannot connect to PostgreSQL at {safe}: {exc}") from exc
        from trustmeter.store.pg_compiler import Compiler  # only PostgreSQL needs it

        con.compiler = Compiler()
        return Store(url, con, "postgres")
    raise DatabaseError(
        f"unknown database URL {url!r}: expected duckdb:///path/to/file.duckdb, "
        "postgresql://user@host:port/dbname or a warehouse (spark://local, trino://…, "
        "bigquery://…, snowflake://…; docs/warehouse.md)"
    )


def _connect_warehouse(scheme: str, url: str) -> BaseBackend:
    name = WAREHOUSES[scheme]
    try:
        return connect_spark(url) if scheme in ("spark", "sc") else ibis.connect(url)
    except ImportError as exc:
        extra = {"spark": "trustmeter[spark]", "sc": "trustmeter[spark]' 'pyspark[connect]"}
        why = (str(exc).splitlines() or [""])[0]
        raise DatabaseError(
            f"reading {name} needs its client library: pip install "
            f"'{extra.get(scheme, f'ibis-framework[{scheme}]')}' ({why})"
        ) from exc
    except DatabaseError:
        raise
    except Exception as exc:
        raise DatabaseError(f"cannot connect to {name} at {_hide_password(url)}: {exc}") from exc


def _hide_password(url: str) -> str:
    return re.sub(r"(//[^:/@]+:)[^@]*@", r"\1***@", url)
