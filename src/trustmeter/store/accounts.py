"""The web app's accounts: one row per user, with a password hash and a role.

Only hashes are stored (trustmeter.web.accounts makes them). Sessions are tied to the hash, so
changing a password, or removing the user, ends every session they had.
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


def set_password(store: Store, username: str, password_hash: str, now: datetime) -> None:
    store.execute(
        "UPDATE app_user SET password_hash = ?, password_changed_at = ? WHERE username = ?",
        (password_hash, now, username),
    )


def set_role(store: Store, username: str, role: str) -> None:
    store.execute("UPDATE app_user SET role = ? WHERE username = ?", (role, username))


def remove_user(store: Store, username: str) -> None:
    store.execute("DELETE FROM app_user WHERE username = ?", (username,))
