"""A cache of compiled SQL, so a command does not pay ibis's compilation again.

Compiling an ibis expression to SQL costs tens of milliseconds (rewrites over the whole
expression graph), more than DuckDB takes to run most of our queries on a department's
records, and a scorecard asks about forty. The SQL for an expression is a pure function of
the expression, the SQL dialect and the versions of ibis and sqlglot, so it can be kept.

The key is a structural fingerprint of the expression: every operation with all its
arguments (literal values and types, table names and schemas, column names), hashed with
SHA-256. A figure whose expression depends on the data (a campaign's id, a service scope)
has a different fingerprint for different data, so a cached statement is only ever reused
for the very expression it was compiled from. In-memory tables (the periods relation) are
fingerprinted by their contents; their generated names are stored as placeholders and put
back on reading, and ibis registers the tables as usual before it runs the statement.

The cache is a folder of small files (`<workspace>/.cache/sql/`), one per statement,
written atomically; a folder that cannot be written only means no caching.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Callable, Mapping
from importlib.metadata import version as _version
from pathlib import Path
from typing import Any

import ibis
import ibis.expr.operations as ops
import pyarrow as pa

# Change when the file format or the fingerprint changes.
FORMAT = 1
sqlglot_version = _version("sqlglot")
_PLACEHOLDER = "__trustmeter_memtable_{}__"


def fingerprint(expr: ibis.Expr) -> tuple[str, list[str]]:
    """The expression's structural SHA-256, and its in-memory tables' names in the order the
    fingerprint met them."""
    memo: dict[int, str] = {}
    memtables: list[str] = []

    def node(op: ops.Node) -> str:
        key = id(op)
        if key in memo:
            return memo[key]
        if isinstance(op, ops.InMemoryTable):
            data = op.data.to_pyarrow(op.schema)
            sink = pa.BufferOutputStream()
            with pa.ipc.new_stream(sink, data.schema) as w:
                w.write_table(data)
            if op.name not in memtables:
                memtables.append(op.name)
            text = f"InMemoryTable|{op.schema!r}|{hashlib.sha256(sink.getvalue()).hexdigest()}"
        elif isinstance(op, ops.DatabaseTable):
            text = f"DatabaseTable|{op.name}|{op.schema!r}|{op.namespace!r}"
        else:
            parts = [type(op).__module__ + "." + type(op).__qualname__]
            for name, arg in zip(op.__argnames__, op.__args__, strict=True):
                parts.append(f"{name}={value(arg)}")
            text = "|".join(parts)
        digest = hashlib.sha256(text.encode()).hexdigest()
        memo[key] = digest
        return digest

    def value(v: Any) -> str:
        if isinstance(v, ops.Node):
            return node(v)
        if isinstance(v, Mapping):
            return "{" + ",".join(f"{k!r}:{value(x)}" for k, x in v.items()) + "}"
        if isinstance(v, tuple | list):
            return "(" + ",".join(value(x) for x in v) + ")"
        return f"{type(v).__name__}:{v!r}"

    return node(expr.op()), memtables


def dialect_of(con: Any) -> str:
    """What a backend compiles for, as part of the key: its name and its compiler's. The
    compiler is trustmeter's own on PostgreSQL (pg_compiler.py), and SQL compiled by an
    earlier revision of it must not be reused."""
    compiler = type(con.compiler)
    revision = getattr(compiler, "revision", 0)
    return f"{con.name}|{compiler.__module__}.{compiler.__qualname__}|{revision}"


class SQLCache:
    """Wraps a backend's `compile` so that each distinct expression compiles once."""

    def __init__(self, folder: Path, dialect: str) -> None:
        self.folder = folder
        self.salt = f"{FORMAT}|{dialect}|ibis {ibis.__version__}|sqlglot {sqlglot_version}"
        self.hits = 0
        self.misses = 0

    def wrap(self, compile: Callable[..., str]) -> Callable[..., str]:
        def cached(
            expr: ibis.Expr,
            /,
            *,
            limit: int | None = None,
            params: Mapping[Any, Any] | None = None,
            pretty: bool = False,
        ) -> str:
            if params or pretty:
                return compile(expr, limit=limit, params=params, pretty=pretty)
            digest, names = fingerprint(expr)
            key = hashlib.sha256(f"{self.salt}|{limit!r}|{digest}".encode()).hexdigest()
            path = self.folder / f"{key}.sql"
            try:
                sql = path.read_text("utf-8")
            except OSError:
                sql = None
            if sql is not None:
                self.hits += 1
                for i, name in enumerate(names):
                    sql = sql.replace(_PLACEHOLDER.format(i), name)
                return sql
            self.misses += 1
            sql = compile(expr, limit=limit)
            stored = sql
            for i, name in enumerate(names):
                stored = stored.replace(name, _PLACEHOLDER.format(i))
            self._write(path, stored)
            return sql

        return cached

    def _write(self, path: Path, text: str) -> None:
        keep(path, text)


def keep(path: Path, text: str) -> None:
    """Write a cache entry whole or not at all (a temporary file renamed into place), making
    its folder first; a folder that cannot be written only means no caching (an OSError is
    swallowed: the caller has its result all the same)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        os.replace(tmp, path)
    except OSError:
        pass  # a read-only workspace folder: no caching, same results
