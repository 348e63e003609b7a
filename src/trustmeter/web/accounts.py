"""Accounts: argon2id password hashes, the two roles, and checks on names and passwords.

Used by the sign-in page and by `trustmeter user add|passwd|remove`; needs argon2-cffi from
the `web` extra, but not FastAPI.
"""

from __future__ import annotations

import contextlib
import re
from datetime import UTC, datetime
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from trustmeter.errors import TrustmeterError
from trustmeter.store import Store
from trustmeter.store import accounts as rows
from trustmeter.store.accounts import ROLES, UserRow

MIN_PASSWORD = 10
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$")
# argon2-cffi's defaults follow RFC 9106's second recommendation (argon2id, 64 MiB, t=3).
_hasher = PasswordHasher()
# Verified against when the user does not exist, so that a wrong name takes as long as a
# wrong password and sign-in does not reveal which names exist.
_DUMMY = _hasher.hash("no such user: this hash only costs time")


class AccountError(TrustmeterError):
    pass


def now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None, microsecond=0)


def check_username(name: str) -> str:
    if not _NAME.match(name):
        raise AccountError(
            f"{name!r} is not a valid user name: use 1 to 64 letters, digits, '.', '_', '@' "
            "or '-', starting with a letter or digit"
        )
    return name


def check_password(password: str, username: str = "") -> str:
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"the password is too short: use at least {MIN_PASSWORD} characters")
    if username and password.lower() == username.lower():
        raise AccountError("the password must not be the user name")
    return password


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def add(store: Store, username: str, password: str, role: str) -> UserRow:
    check_username(username)
    check_role(role)
    check_password(password, username)
    return add_hashed(store, username, hash_password(password), role)


def check_role(role: str) -> str:
    if role not in ROLES:
        raise AccountError(f"unknown role {role!r}: expected one of {', '.join(ROLES)}")
    return role


def add_hashed(store: Store, username: str, password_hash: str, role: str) -> UserRow:
    """Add an account whose password was checked and hashed already (by the CLI, which hands
    a running server only the hash: docs/web.md, "Accounts while serve runs")."""
    check_username(username)
    check_role(role)
    if rows.get_user(store, username) is not None:
        raise AccountError(f"user {username!r} exists already: use `trustmeter user passwd`")
    rows.add_user(store, username, password_hash, role, now())
    user = rows.get_user(store, username)
    assert user is not None
    return user


def change_password(store: Store, username: str, password: str) -> None:
    """Set a new password; every session the user had ends."""
    if rows.get_user(store, username) is None:
        raise AccountError(f"no user {username!r}")
    check_password(password, username)
    set_hash(store, username, hash_password(password))


def set_hash(store: Store, username: str, password_hash: str) -> None:
    """A new password, as its hash; the user's sessions end in the same transaction."""
    if rows.get_user(store, username) is None:
        raise AccountError(f"no user {username!r}")
    with store.transaction():
        rows.set_password(store, username, password_hash, now())


def remove(store: Store, username: str) -> None:
    """Remove the account; its sessions end in the same transaction."""
    if rows.get_user(store, username) is None:
        raise AccountError(f"no user {username!r}")
    with store.transaction():
        rows.remove_user(store, username)


def authenticate(
    store: Store,
    username: str,
    password: str,
    write_lock: contextlib.AbstractContextManager[Any] | None = None,
) -> UserRow | None:
    """The user when the password is right, else None (in about the same time either way).

    `write_lock` is held while a stronger hash is stored: the web app's writers take turns,
    and two first sign-ins of one user at once would otherwise both write the row (DuckDB
    refuses the second with a conflict).
    """
    user = rows.get_user(store, username) if _NAME.match(username) else None
    try:
        _hasher.verify(user.password_hash if user else _DUMMY, password)
    except (VerificationError, InvalidHashError):
        return None
    if user is None:
        return None
    if _hasher.check_needs_rehash(user.password_hash):
        # Stronger parameters than when it was set: store the hash anew (same password).
        with write_lock or contextlib.nullcontext():
            rows.set_password(
                store,
                username,
                hash_password(password),
                user.password_changed_at,
                end_sessions=False,
            )
        return rows.get_user(store, username)
    return user
