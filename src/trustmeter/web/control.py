"""Accounts while `serve` runs on DuckDB: the CLI asks the running server to make the change.

DuckDB lets one process open a database file for writing, and `serve` holds it: `trustmeter
user add|passwd|remove|list` from another process cannot open it. So `serve` writes
`.trustmeter-serve` in the workspace (mode 0600: its process id, its loopback address and a
random key made at start-up) and removes it when it stops; the CLI, finding the file of a
live server of a DuckDB workspace, sends the change to `POST /_serve/accounts` with that key
instead of opening the database. The server applies it in one transaction like the CLI would,
so a new password or a removed account ends that user's sessions at once.

The CLI checks the password and sends only its argon2 hash; without the key (32 random bytes
that only whoever can read the workspace folder, and so the database file itself, can see)
the route answers 404 like any unknown address. On PostgreSQL the CLI writes to the database
directly, which every server process reads on the next request.
"""

from __future__ import annotations

import contextlib
import hmac
import json
import os
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Body, Request
from fastapi.responses import JSONResponse

from trustmeter.errors import TrustmeterError
from trustmeter.store import accounts as rows
from trustmeter.web import accounts
from trustmeter.web.deps import StateDep

SERVE_FILE = ".trustmeter-serve"
ROUTE = "/_serve/accounts"
router = APIRouter(include_in_schema=False)


class ServerGone(TrustmeterError):
    """The file names a server that does not answer (it was killed): open the database."""


@router.post(ROUTE)
def change_accounts(
    request: Request, state: StateDep, payload: Annotated[dict[str, Any], Body()]
) -> JSONResponse:
    key = state.settings.control_key
    sent = request.headers.get("authorization", "")
    if not key or not hmac.compare_digest(sent.encode(), f"Bearer {key}".encode()):
        return JSONResponse({"error": "There is no page at this address.", "status": 404}, 404)
    action, name = payload.get("action"), str(payload.get("username", ""))
    password_hash = str(payload.get("password_hash", ""))
    try:
        if action in ("add", "passwd") and not password_hash.startswith("$argon2id$"):
            raise accounts.AccountError("expected the new password's argon2id hash")
        with state.db.write_lock, state.db.connection() as store:
            if action == "add":
                accounts.add_hashed(store, name, password_hash, str(payload.get("role", "")))
            elif action == "passwd":
                accounts.set_hash(store, name, password_hash)
            elif action == "remove":
                accounts.remove(store, name)
            elif action != "list":
                raise accounts.AccountError(f"unknown action {action!r}")
            users = [
                {"username": u.username, "role": u.role, "changed": str(u.password_changed_at)}
                for u in rows.list_users(store)
            ]
    except accounts.AccountError as exc:
        return JSONResponse({"error": str(exc), "status": 400}, 400)
    return JSONResponse({"users": users})


# -- the server's file --------------------------------------------------------------------------
def loopback_url(host: str, port: int) -> str:
    """Where the CLI on this machine reaches a server listening on `host`."""
    if host in ("", "0.0.0.0"):
        host = "127.0.0.1"
    elif host == "::":
        host = "::1"
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


def write_serve_file(root: Path, url: str, key: str) -> Path:
    path = root / SERVE_FILE
    with contextlib.suppress(FileNotFoundError):
        path.unlink()
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        json.dump({"pid": os.getpid(), "url": url, "key": key}, f)
    return path


def remove_serve_file(root: Path, key: str) -> None:
    """Remove the file when it is still this server's (another may have started since)."""
    path = root / SERVE_FILE
    with contextlib.suppress(OSError, ValueError):
        if json.loads(path.read_text("utf-8")).get("key") == key:
            path.unlink()


@dataclass(frozen=True)
class RunningServer:
    url: str
    key: str

    def call(self, action: str, **fields: str) -> list[dict[str, str]]:
        """Apply one account change in the server; its list of accounts afterwards."""
        data = json.dumps({"action": action, **fields}).encode()
        request = urllib.request.Request(
            self.url + ROUTE,
            data=data,
            method="POST",
            headers={"Authorization": f"Bearer {self.key}", "Content-Type": "application/json"},
        )
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                answer = json.loads(response.read())
        except urllib.error.HTTPError as exc:
            try:
                message = json.loads(exc.read()).get("error")
            except ValueError:
                message = None
            raise accounts.AccountError(
                message or f"the running server refused the change (HTTP {exc.code})"
            ) from None
        except (urllib.error.URLError, OSError) as exc:
            raise ServerGone(f"the server at {self.url} does not answer: {exc}") from None
        return list(answer["users"])


def running_server(root: Path) -> RunningServer | None:
    """The server whose file is in the workspace, when its process is alive."""
    try:
        info = json.loads((root / SERVE_FILE).read_text("utf-8"))
        pid, url, key = int(info["pid"]), str(info["url"]), str(info["key"])
    except (OSError, ValueError, KeyError, TypeError):
        return None
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return None
    except PermissionError:
        pass  # alive, run by another user
    return RunningServer(url, key)
