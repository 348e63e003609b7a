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


def _v3_forecast_ledger(store: Store) -> None:
    # One row per stated figure: a "when" or "how many" forecast gives four rows (50/70/85/95,
    # sharing forecast_id), a likelihood one row with `probability`. The columns the
    # forecast_calibration metric reads are id, made_on, level, predicted_date, actual_date,
    # outcome and resolved_on (docs/metrics/delivery.md).
    store.execute(
        "CREATE TABLE forecast (id TEXT PRIMARY KEY, forecast_id TEXT NOT NULL, "
        "kind TEXT NOT NULL, made_on DATE NOT NULL, made_at TIMESTAMP NOT NULL, "
        "team TEXT, project TEXT, item_kinds TEXT, history_from DATE NOT NULL, "
        "history_to DATE NOT NULL, start_on DATE NOT NULL, items BIGINT, by_date DATE, "
        "level DOUBLE PRECISION, predicted_date DATE, predicted_items BIGINT, "
        "probability DOUBLE PRECISION, trials BIGINT, seed BIGINT, calendar TEXT, "
        "calibrated BOOLEAN, actual_date DATE, actual_items BIGINT, outcome BOOLEAN, "
        "resolved_on DATE)"
    )


def _v4_web(store: Store) -> None:
    # The web app's own tables. An invitation never names the response it produced: it keeps
    # only when it was used (to the day), so answers cannot be traced back to an invitee.
    store.execute(
        "CREATE TABLE app_user (username TEXT PRIMARY KEY, password_hash TEXT NOT NULL, "
        "role TEXT NOT NULL, created_at TIMESTAMP NOT NULL, password_changed_at TIMESTAMP NOT NULL)"
    )
    store.execute(
        "CREATE TABLE survey_campaign (id TEXT PRIMARY KEY, name TEXT NOT NULL UNIQUE, "
        "kind TEXT NOT NULL, opens_at TIMESTAMP NOT NULL, closes_at TIMESTAMP NOT NULL, "
        "services TEXT, created_by TEXT, created_at TIMESTAMP NOT NULL, closed_early_at TIMESTAMP)"
    )
    store.execute(
        "CREATE TABLE survey_invitation (id TEXT PRIMARY KEY, campaign_id TEXT NOT NULL, "
        'token_hash TEXT UNIQUE, invitee TEXT, invitee_name TEXT, email TEXT, "group" TEXT, '
        "created_at TIMESTAMP NOT NULL, issued_at TIMESTAMP, used_at TIMESTAMP)"
    )
    # A saved, unsubmitted answer sheet. Its key derives from the token but differs from the
    # invitation's token_hash, so the two rows cannot be joined without the token itself.
    store.execute(
        "CREATE TABLE survey_draft (draft_key TEXT PRIMARY KEY, campaign_id TEXT NOT NULL, "
        "answers TEXT NOT NULL, saved_at TIMESTAMP NOT NULL)"
    )


def _v5_sync(store: Store) -> None:
    # API sync (trustmeter sync): the cursor of each source's streams, written in the same
    # transaction as the page of records it follows, and one row per run. Never credentials.
    store.execute(
        "CREATE TABLE sync_cursor (source TEXT NOT NULL, stream TEXT NOT NULL, "
        "cursor TEXT NOT NULL, updated_at TIMESTAMP NOT NULL, PRIMARY KEY (source, stream))"
    )
    store.execute(
        "CREATE TABLE sync_log (id BIGINT PRIMARY KEY, source TEXT NOT NULL, "
        "started_at TIMESTAMP NOT NULL, finished_at TIMESTAMP, status TEXT NOT NULL, "
        "pages BIGINT, records BIGINT, message TEXT)"
    )


def _v6_duckdb_bulk(store: Store) -> None:
    """DuckDB: record tables without the primary-key and event-time ART indexes.

    DuckDB keeps ART indexes in memory and builds them at commit: a 2-million-row import
    spent a third of its time and 700 MB of memory there, and its range scans use zone maps,
    not these indexes. The writer keeps (source, source_id) unique itself (an upsert, tested
    on both engines). PostgreSQL keeps its keys and B-tree indexes, which cost little there.
    """
    if store.engine != "duckdb":
        return
    for table in [k.table for k in KINDS] + [TEAM_TABLE]:
        cols = store.fetch(
            "SELECT column_name, data_type, is_nullable FROM information_schema.columns "
            "WHERE table_schema = current_schema() AND table_name = ? ORDER BY ordinal_position",
            (table,),
        )
        defs = ", ".join(
            f"{q(name)} {dtype}{' NOT NULL' if nullable == 'NO' else ''}"
            for name, dtype, nullable in cols
        )
        names = ", ".join(q(name) for name, _, _ in cols)
        new = q(f"{table}__v6")
        store.execute(f"CREATE TABLE {new} ({defs})")
        store.execute(f"INSERT INTO {new} ({names}) SELECT {names} FROM {q(table)}")
        store.execute(f"DROP TABLE {q(table)}")  # its indexes go with it
        store.execute(f"ALTER TABLE {new} RENAME TO {q(table)}")


def _v7_survey_shuffle(store: Store) -> None:
    """PostgreSQL: a function that rewrites a campaign's invitations one by one in a random
    order, run by every claim of a link (`store.campaigns.claim`), so that no invitation's
    transaction id (`xmin`) or place (`ctid`) shows it was the one claimed last. Server-side,
    a campaign of 500 invitations takes milliseconds, not 500 round trips."""
    if store.engine != "postgres":
        return
    store.execute(
        "CREATE OR REPLACE FUNCTION survey_shuffle_invitations(cid TEXT) RETURNS void AS $$ "
        "DECLARE r RECORD; "
        "BEGIN "
        "FOR r IN SELECT id FROM survey_invitation WHERE campaign_id = cid ORDER BY random() "
        "LOOP UPDATE survey_invitation SET used_at = used_at WHERE id = r.id; END LOOP; "
        "END $$ LANGUAGE plpgsql"
    )


def _v8_sessions(store: Store) -> None:
    # Server-side sessions (issue 12): signing out, a new password or a removed account ends
    # a session at once, in every server process. Only the SHA-256 of the session id is kept.
    store.execute(
        "CREATE TABLE web_session (id_hash TEXT PRIMARY KEY, username TEXT NOT NULL, "
        "created_at TIMESTAMP NOT NULL, expires_at TIMESTAMP NOT NULL)"
    )


def _v9_invitation_text(store: Store) -> None:
    # A campaign's own invitation text (issue 12), used by the invitation and reminder mails.
    # A table of its own rather than columns of survey_campaign: nothing else changes shape.
    store.execute(
        "CREATE TABLE survey_invitation_text (campaign_id TEXT PRIMARY KEY, "
        "subject TEXT NOT NULL, body TEXT NOT NULL, updated_by TEXT, "
        "updated_at TIMESTAMP NOT NULL)"
    )


def _v10_digest_log(store: Store) -> None:
    # The scheduled digest (issue 15): when each went out, to how many, and what failed, so
    # that a restarted server neither sends it again at once nor forgets a failure.
    store.execute(
        "CREATE TABLE digest_log (id BIGINT PRIMARY KEY, started_at TIMESTAMP NOT NULL, "
        "finished_at TIMESTAMP, status TEXT NOT NULL, period TEXT, recipients BIGINT, "
        "message TEXT)"
    )


MIGRATIONS: list[tuple[int, str, Callable[[Store], None]]] = [
    (1, "canonical record tables", _v1_records),
    (2, "indexes on event times", _v2_indexes),
    (3, "forecast ledger", _v3_forecast_ledger),
    (4, "web app: users, survey campaigns and invitations", _v4_web),
    (5, "API sync cursors and runs", _v5_sync),
    (6, "DuckDB: record tables without in-memory indexes, for bulk imports", _v6_duckdb_bulk),
    (7, "PostgreSQL: shuffle a campaign's invitations on each claim", _v7_survey_shuffle),
    (8, "web app: server-side sessions", _v8_sessions),
    (9, "web app: a survey campaign's invitation text", _v9_invitation_text),
    (10, "scheduled digest log", _v10_digest_log),
]

LATEST = max(number for number, _, _ in MIGRATIONS)


def current_version(store: Store) -> int:
    store.execute(
        "CREATE TABLE IF NOT EXISTS schema_version (version BIGINT PRIMARY KEY, "
        "description TEXT, applied_at TIMESTAMP)"
    )
    v = store.scalar("SELECT max(version) FROM schema_version")
    return int(v) if v is not None else 0


def migrate(store: Store) -> list[int]:
    """Bring the schema up to date; returns the versions applied now (empty when current).

    Every recorded migration that has not run yet runs, in number order, even one numbered
    below the highest applied (branches that land in another order still converge).
    """
    applied = []
    current_version(store)  # creates schema_version on a new database
    done = {int(r[0]) for r in store.fetch("SELECT version FROM schema_version")}
    for number, description, fn in sorted(MIGRATIONS, key=lambda m: m[0]):
        if number in done:
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


Catalogue = dict[str, list[tuple[str, str]]]


def catalogue(store: Store) -> Catalogue:
    """The base tables of the store's current schema and their (column, data type), from the
    information schema: unlike ibis' table look-up, it sees tables made in the open
    transaction."""
    rows = store.fetch(
        "SELECT c.table_name, c.column_name, c.data_type FROM information_schema.columns c "
        "JOIN information_schema.tables t ON t.table_catalog = c.table_catalog "
        "AND t.table_schema = c.table_schema AND t.table_name = c.table_name "
        "WHERE c.table_schema = current_schema() AND c.table_catalog = current_database() "
        "AND t.table_type = 'BASE TABLE' ORDER BY c.table_name, c.ordinal_position"
    )
    out: Catalogue = {}
    for table, column, data_type in rows:
        out.setdefault(str(table), []).append((str(column), str(data_type)))
    return out


def add_new_fields(store: Store) -> list[str]:
    """Add optional record fields declared in records.py after a table was created.

    Purely additive and idempotent, so a new optional field needs no numbered migration;
    anything else (renames, new tables, data changes) does. Tables not created yet are left
    for their migration.
    """
    added = []
    cat = catalogue(store)
    for k in KINDS:
        if k.table not in cat:
            continue
        have = {c for c, _ in cat[k.table]}
        for f in k.fields:
            if f.name not in have:
                store.execute(f"ALTER TABLE {q(k.table)} ADD COLUMN {q(f.name)} {sql_type(f.type)}")
                added.append(f"{k.table}.{f.name}")
    return added
