"""The web app's accounts and sessions: one row per user (a password hash and a role), and
one row per signed-in session.

Only hashes are stored: of passwords (trustmeter.web.accounts makes them) and of session ids
(the id itself is only in the browser's signed cookie), so someone reading the database can
neither sign in nor take over a session. A session lasts while its row does: signing out
deletes it, and a new password or a removed account deletes every row of that user in the
same statement group, so the sessions end at once in every server process.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from trustmeter.store.database import Store

ROLES = ("admin", "viewer")


@dataclass(frozen=True)
class UserRow:
    username: str
    password_hash: str
    role: str
    created_at: datetime
    password_changed_at: datetime

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"


_COLS = "username, password_hash, role, created_at, password_changed_at"


def get_user(store: Store, username: str) -> UserRow | None:
    rows = store.fetch(f"SELECT {_COLS} FROM app_user WHERE username = ?", (username,))
    return UserRow(*rows[0]) if rows else None


def list_users(store: Store) -> list[UserRow]:
    return [UserRow(*r) for r in store.fetch(f"SELECT {_COLS} FROM app_user ORDER BY username")]


def add_user(store: Store, username: str, password_hash: str, role: str, now: datetime) -> None:
    store.execute(
        f"INSERT INTO app_user ({_COLS}) VALUES (?, ?, ?, ?, ?)",
        (username, password_hash, role, now, now),
    )


def set_password(
    store: Store, username: str, password_hash: str, now: datetime, end_sessions: bool = True
) -> None:
    """A new hash; with `end_sessions` (a new password, not a renewed hash of the same one)
    every session of the user ends. Two statements: callers run them in one transaction."""
    store.execute(
        "UPDATE app_user SET password_hash = ?, password_changed_at = ? WHERE username = ?",
        (password_hash, now, username),
    )
    if end_sessions:
        end_user_sessions(store, username)


def set_role(store: Store, username: str, role: str) -> None:
    store.execute("UPDATE app_user SET role = ? WHERE username = ?", (role, username))


def remove_user(store: Store, username: str) -> None:
    """The account and its sessions (two statements: callers run them in one transaction)."""
    end_user_sessions(store, username)
    store.execute("DELETE FROM app_user WHERE username = ?", (username,))


# -- sessions ----------------------------------------------------------------------------------
def add_session(
    store: Store, id_hash: str, username: str, now: datetime, expires_at: datetime
) -> None:
    store.execute(
        "INSERT INTO web_session (id_hash, username, created_at, expires_at) VALUES (?, ?, ?, ?)",
        (id_hash, username, now, expires_at),
    )


def session_user(store: Store, id_hash: str, now: datetime) -> UserRow | None:
    """The user of a live session, or None when it ended, expired or its user is gone."""
    cols = ", ".join(f"u.{c.strip()}" for c in _COLS.split(","))
    rows = store.fetch(
        f"SELECT {cols} FROM web_session s JOIN app_user u ON u.username = s.username "
        "WHERE s.id_hash = ? AND s.expires_at > ?",
        (id_hash, now),
    )
    return UserRow(*rows[0]) if rows else None


def end_session(store: Store, id_hash: str) -> None:
    store.execute("DELETE FROM web_session WHERE id_hash = ?", (id_hash,))


def end_user_sessions(store: Store, username: str) -> None:
    store.execute("DELETE FROM web_session WHERE username = ?", (username,))


def purge_sessions(store: Store, now: datetime) -> None:
    store.execute("DELETE FROM web_session WHERE expires_at <= ?", (now,))


def session_count(store: Store, username: str) -> int:
    return int(store.scalar("SELECT count(*) FROM web_session WHERE username = ?", (username,)))
