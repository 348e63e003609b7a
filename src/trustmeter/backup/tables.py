"""Which tables trustmeter owns, which of them hold account secrets, and how columns travel."""

from __future__ import annotations

import functools
from collections.abc import Iterable
from typing import Any

import pyarrow as pa

from trustmeter.backup.model import BackupError
from trustmeter.store.database import Store, connect
from trustmeter.store.migrations import (
    MIGRATIONS,
    Catalogue,
    add_new_fields,
    catalogue,
    current_version,
)

# The web app's accounts: user names, roles and password hashes. In a backup only when asked
# for (`--with-accounts`): a backup is copied to more places than the database is.
ACCOUNT_TABLES = frozenset({"app_user"})


def is_session_table(name: str) -> bool:
    """Server-side sign-in sessions: never in a backup, with or without accounts.

    A session restored elsewhere would be a signed-in cookie that outlives its server, so any
    table of trustmeter's whose name says "session" stays behind; after a restore everyone
    signs in again.
    """
    return "session" in name


def left_out(tables: Iterable[str], with_accounts: bool) -> list[str]:
    """The tables among `tables` a backup does not carry."""
    return sorted(
        t for t in tables if is_session_table(t) or (t in ACCOUNT_TABLES and not with_accounts)
    )


def create_schema(store: Store, versions: tuple[int, ...]) -> None:
    """The tables of a database migrated with exactly these migrations (schema_version empty)."""
    current_version(store)  # creates schema_version
    store.execute("DELETE FROM schema_version")
    for number, _description, fn in sorted(MIGRATIONS, key=lambda m: m[0]):
        if number in versions:
            fn(store)
    add_new_fields(store)


@functools.cache
def schema_at(versions: tuple[int, ...]) -> dict[str, tuple[str, ...]]:
    """Table -> column names of a database with these migrations applied (a scratch DuckDB)."""
    scratch = connect("duckdb://")
    try:
        create_schema(scratch, versions)
        return {t: tuple(c for c, _ in cols) for t, cols in catalogue(scratch).items()}
    finally:
        scratch.close()


@functools.cache
def known_tables() -> frozenset[str]:
    """Every table any migration of this trustmeter creates (even one a later one drops)."""
    scratch = connect("duckdb://")
    names: set[str] = set()
    try:
        current_version(scratch)
        for _number, _description, fn in sorted(MIGRATIONS, key=lambda m: m[0]):
            fn(scratch)
            names |= set(catalogue(scratch))
        add_new_fields(scratch)
        names |= set(catalogue(scratch))
    finally:
        scratch.close()
    return frozenset(names)


def check_engine(store: Store) -> None:
    if store.engine not in ("duckdb", "postgres"):
        raise BackupError(
            f"backup and restore work on DuckDB and PostgreSQL workspace databases, not on "
            f"{store.engine} (its data belongs to its owner, who backs it up)"
        )


def known_versions() -> set[int]:
    return {m[0] for m in MIGRATIONS}


def applied_migrations(store: Store, cat: Catalogue) -> list[int]:
    if "schema_version" not in cat:
        return []
    return sorted(int(r[0]) for r in store.fetch("SELECT version FROM schema_version"))


def arrow_type(table: str, column: str, data_type: str) -> Any:
    """The Arrow type a column travels as: the same for DuckDB's and PostgreSQL's names."""
    t = data_type.strip().lower()
    if t in ("timestamp with time zone", "timestamptz"):
        return pa.timestamp("us", tz="UTC")
    if t.startswith("timestamp"):
        return pa.timestamp("us")
    if t == "date":
        return pa.date32()
    if t in ("double", "double precision", "float8", "float", "real", "float4"):
        return pa.float64()
    if t in ("bigint", "int8", "integer", "int4", "int", "smallint", "int2", "tinyint"):
        return pa.int64()
    if t in ("boolean", "bool"):
        return pa.bool_()
    if t in ("varchar", "text", "character varying", "string") or t.startswith("varchar"):
        return pa.string()
    raise BackupError(
        f"column {table}.{column} has the type {data_type}, which a backup cannot carry "
        "without loss; nothing was written"
    )
