"""The one schema, as small recorded migrations applied in order on DuckDB and PostgreSQL alike.

A migration is a function of the store; its number is recorded in `schema_version` in the same
transaction, so a workspace is never left between two versions.
"""

from __future__ import annotations

from collections.abc import Callable

from trustmeter.records import KINDS, TEAM_TABLE
from trustmeter.store.database import Store, q, sql_type

# Every record table carries these, beside its canonical fields.
BOOKKEEPING = (
    ("source", "TEXT NOT NULL"),
    ("source_id", "TEXT NOT NULL"),
    ("row_hash", "TEXT NOT NULL"),
    ("origin", "TEXT"),  # file:line of the record's last import, for traceability
    ("imported_at", "TIMESTAMP"),
)


def _v1_records(store: Store) -> None:
    # Tables get every field declared today; fields declared later are added by
    # `add_new_fields`, which skips the ones that exist.
    for k in KINDS:
        cols = [f"{q(f.name)} {sql_type(f.type)}" for f in k.fields]
        cols += [f"{q(c)} {t}" for c, t in BOOKKEEPING]
        cols.append(f"PRIMARY KEY ({q('source')}, {q('source_id')})")
        store.execute(f"CREATE TABLE {q(k.table)} ({', '.join(cols)})")
    store.execute(
        f"CREATE TABLE {q(TEAM_TABLE)} (id TEXT NOT NULL, name TEXT, "
        + ", ".join(f"{q(c)} {t}" for c, t in BOOKKEEPING)
        + ", PRIMARY KEY (source, source_id))"
    )
    # One row per answered item; `response_id` is survey_response.source_id.
    store.execute(
        "CREATE TABLE survey_answer (source TEXT NOT NULL, response_id TEXT NOT NULL, "
        "item TEXT NOT NULL, value_num DOUBLE PRECISION, value_text TEXT, "
        "PRIMARY KEY (source, response_id, item))"
    )
    store.execute(
        "CREATE TABLE import_log (id BIGINT PRIMARY KEY, kind TEXT NOT NULL, source TEXT NOT NULL, "
        "files TEXT NOT NULL, started_at TIMESTAMP NOT NULL, rows_read BIGINT, inserted BIGINT, "
        "updated BIGINT, unchanged BIGINT, zoneless BIGINT)"
    )


def _v2_indexes(store: Store) -> None:
    store.execute("CREATE INDEX incident_opened ON incident (opened_at)")
    store.execute('CREATE INDEX change_deployed ON "change" (deployed_at)')
    store.execute("CREATE INDEX work_item_done ON work_item (done_at)")


MIGRATIONS: list[tuple[int, str, Callable[[Store], None]]] = [
    (1, "canonical record tables", _v1_records),
    (2, "indexes on event times", _v2_indexes),
]

LATEST = MIGRATIONS[-1][0]


def current_version(store: Store) -> int:
    store.execute(
        "CREATE TABLE IF NOT EXISTS schema_version (version BIGINT PRIMARY KEY, "
        "description TEXT, applied_at TIMESTAMP)"
    )
    v = store.scalar("SELECT max(version) FROM schema_version")
    return int(v) if v is not None else 0


def migrate(store: Store) -> list[int]:
    """Bring the schema up to date; returns the versions applied now (empty when current)."""
    applied = []
    version = current_version(store)
    for number, description, fn in MIGRATIONS:
        if number <= version:
            continue
        with store.transaction():
            fn(store)
            store.execute(
                "INSERT INTO schema_version VALUES (?, ?, current_timestamp)",
                (number, description),
            )
        applied.append(number)
    add_new_fields(store)
    return applied


def add_new_fields(store: Store) -> list[str]:
    """Add optional record fields declared in records.py after a table was created.

    Purely additive and idempotent, so a new optional field needs no numbered migration;
    anything else (renames, new tables, data changes) does.
    """
    added = []
    for k in KINDS:
        have = set(store.table(k.table).columns)
        for f in k.fields:
            if f.name not in have:
                store.execute(
                    f"ALTER TABLE {q(k.table)} ADD COLUMN {q(f.name)} {sql_type(f.type)}"
                )
                added.append(f"{k.table}.{f.name}")
    return added
