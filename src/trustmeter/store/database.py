"""Connect to a workspace's database by URL, and the few statements that differ per engine.

DuckDB is the embedded default; PostgreSQL serves a team. Metrics never see this module's
SQL: they read ibis tables from `Store.table`. Writes (migrations, imports) go through here.
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

from trustmeter.errors import TrustmeterError


class DatabaseError(TrustmeterError):
    """The database could not be opened or used; the message says why and what to do."""


def q(name: str) -> str:
    """Quote an identifier: record fields include words such as `group` and `key`."""
    return '"' + name.replace('"', '""') + '"'


@dataclass
class Store:
    url: str
    con: BaseBackend
    engine: str  # "duckdb" or "postgres"

    # -- reading -----------------------------------------------------------------------------
    def table(self, name: str) -> ibis.Table:
        return self.con.table(name)

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

    def _execute(self, sql: str, params: Sequence[Any] = ()) -> Any:
        raw = self.con.con
        if self.engine == "duckdb":
            return raw.execute(sql, list(params)) if params else raw.execute(sql)
        cur = raw.cursor()
        cur.execute(sql.replace("?", "%s") if params else sql, list(params) if params else None)
        return cur

    @contextlib.contextmanager
    def transaction(self) -> Iterator[None]:
        """All or nothing: an import either lands whole or leaves the database as it was."""
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
        cols = ", ".join(q(c) for c in data.column_names)
        if self.engine == "duckdb":
            raw = self.con.con
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

    def temp_table(self, name: str, columns: Sequence[tuple[str, str]]) -> None:
        self.execute(f"DROP TABLE IF EXISTS {q(name)}")
        cols = ", ".join(f"{q(c)} {t}" for c, t in columns)
        self.execute(f"CREATE TEMPORARY TABLE {q(name)} ({cols})")

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.con.disconnect()


def sql_type(field_type: str) -> str:
    """The column type for a record field, the same words on DuckDB and PostgreSQL."""
    return {
        "timestamp": "TIMESTAMP",
        "date": "DATE",
        "number": "DOUBLE PRECISION",
        "integer": "BIGINT",
        "bool": "BOOLEAN",
    }.get(field_type, "TEXT")


_HELD = re.compile(r"Conflicting lock is held in (.+?) \(PID (\d+)\)")


def connect(url: str, base: Path | None = None, read_only: bool = False) -> Store:
    """Open a database by URL: `duckdb:///path/file.duckdb` (relative to `base`) or `postgresql://…`."""
    parsed = urlparse(url)
    scheme = parsed.scheme.split("+")[0]
    if scheme == "duckdb":
        raw_path = unquote(url[len("duckdb://") :])
        path = (
            raw_path[1:] if raw_path.startswith("/") and not raw_path.startswith("//") else raw_path
        )
        if raw_path.startswith("//"):
            path = raw_path[1:]
        if path in ("", ":memory:"):
            return Store(url, ibis.duckdb.connect(), "duckdb")
        p = Path(path)
        if not p.is_absolute() and base is not None:
            p = base / p
        try:
            con = ibis.duckdb.connect(str(p), read_only=read_only)
        except Exception as exc:  # duckdb raises IOException for a lock held elsewhere
            m = _HELD.search(str(exc))
            if m:
                raise DatabaseError(
                    f"the workspace database {p} is in use by another process "
                    f"({m.group(1)}, PID {m.group(2)}). DuckDB allows one writer at a time: "
                    "stop that process (for example `trustmeter serve`) and try again, or move "
                    "the workspace to PostgreSQL for shared use."
                ) from exc
            raise DatabaseError(f"cannot open the workspace database {p}: {exc}") from exc
        return Store(url, con, "duckdb")
    if scheme in ("postgres", "postgresql"):
        try:
            con = ibis.connect(url.replace("postgresql+psycopg://", "postgresql://"))
        except Exception as exc:
            safe = _hide_password(url)
            raise DatabaseError(f"cannot connect to PostgreSQL at {safe}: {exc}") from exc
        return Store(url, con, "postgres")
    raise DatabaseError(
        f"unknown database URL {url!r}: expected duckdb:///path/to/file.duckdb or "
        "postgresql://user@host:port/dbname"
    )


def _hide_password(url: str) -> str:
    return re.sub(r"(//[^:/@]+:)[^@]*@", r"\1***@", url)
