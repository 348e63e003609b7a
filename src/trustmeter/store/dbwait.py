"""Waiting for an embedded (DuckDB) database file that another process holds.

DuckDB lets one process open a database file, and then no other process can open it, not even
read only. `trustmeter serve` therefore holds the file only while requests use it (a lease,
web/pool.py) and the CLI waits for it instead of failing at once: `open_waiting` retries the
open with a growing pause, for a bounded time, and says once that it waits and for whom.

While it waits, a CLI process holds a shared lock on the sidecar file `<database>.waiting`.
The server checks that file (`someone_waiting`) and, when a command waits, lets its current
requests finish, closes the database and holds new requests back until the command has the
file. A lock (flock), not a marker file: it goes away with the process that held it, so a
command killed while waiting never leaves the server yielding to nobody.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import re
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TypeVar

from trustmeter.errors import ConfigError

log = logging.getLogger("trustmeter.store")
T = TypeVar("T")

# DuckDB's message for a file locked by another process names that process.
HELD = re.compile(r"Conflicting lock is held in (.+?) \(PID (\d+)\)")
# How long a CLI command waits for the file, unless TRUSTMETER_DB_WAIT says otherwise.
CLI_WAIT_S = 120.0
_PAUSES = (0.05, 0.1, 0.2, 0.3, 0.5)


def cli_wait_s() -> float:
    """Seconds a command waits for a database file another process holds (0: not at all)."""
    raw = os.environ.get("TRUSTMETER_DB_WAIT", "")
    if not raw.strip():
        return CLI_WAIT_S
    try:
        value = float(raw)
    except ValueError:
        value = -1.0
    if not value >= 0:
        raise ConfigError(
            f"TRUSTMETER_DB_WAIT={raw!r}: expected a number of seconds, 0 or more "
            f"(default {CLI_WAIT_S:g})"
        )
    return value


def waiting_file(database: Path) -> Path:
    return database.with_name(database.name + ".waiting")


@contextlib.contextmanager
def waiting_flag(database: Path) -> Iterator[None]:
    """Tell a server holding `database` that this process waits for it (a shared flock)."""
    try:
        fd = os.open(waiting_file(database), os.O_RDWR | os.O_CREAT, 0o600)
    except OSError:  # a read-only folder: wait without telling anyone
        yield
        return
    try:
        fcntl.flock(fd, fcntl.LOCK_SH)
        yield
    finally:
        os.close(fd)  # closing releases the lock


def someone_waiting(database: Path) -> bool:
    """Whether another process holds `waiting_flag(database)` now."""
    try:
        fd = os.open(waiting_file(database), os.O_RDONLY)
    except OSError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    except OSError:
        return False
    finally:
        os.close(fd)
    return False


def holder(exc: BaseException) -> tuple[str, str] | None:
    """(program, PID) of the process holding the file, when `exc` is DuckDB's lock error."""
    m = HELD.search(str(exc))
    return (m.group(1), m.group(2)) if m else None


def open_waiting(open_file: Callable[[], T], database: Path, wait_s: float, flag: bool = True) -> T:
    """`open_file()`, tried again while another process holds `database`, for `wait_s`
    seconds at most; the last lock error is raised after that. With `flag`, this process
    holds the waiting flag meanwhile, so that a server holding the file lets go of it."""
    deadline = time.monotonic() + wait_s
    with contextlib.ExitStack() as stack:
        attempt = 0
        while True:
            try:
                return open_file()
            except Exception as exc:
                held = holder(exc)
                if held is None or time.monotonic() >= deadline:
                    raise
                if attempt == 0:
                    log.warning(
                        "waiting for the workspace database %s: in use by %s (PID %s); "
                        "waiting up to %.0f s",
                        database,
                        *held,
                        wait_s,
                    )
                    if flag:
                        stack.enter_context(waiting_flag(database))
            pause = _PAUSES[min(attempt, len(_PAUSES) - 1)]
            time.sleep(max(0.0, min(pause, deadline - time.monotonic())))
            attempt += 1
