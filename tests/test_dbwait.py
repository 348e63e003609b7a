"""Waiting for a DuckDB file another process holds (store/dbwait.py), instead of failing."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from trustmeter.errors import ConfigError
from trustmeter.store import connect
from trustmeter.store.database import DatabaseInUse
from trustmeter.store.dbwait import cli_wait_s, someone_waiting


@contextmanager
def held(path: Path, seconds: float) -> Iterator[subprocess.Popen[str]]:
    """Another process holds `path` for `seconds`, then closes it."""
    code = (
        f"import duckdb, time; c = duckdb.connect({str(path)!r}); print('ready', flush=True); "
        f"time.sleep({seconds}); c.close()"
    )
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
        yield proc
    finally:
        proc.kill()
        proc.wait()
        assert proc.stdout is not None
        proc.stdout.close()


def test_a_file_freed_within_the_wait_is_opened(tmp_path: Path) -> None:
    path = tmp_path / "w.duckdb"
    seen: list[bool] = []
    with held(path, 1.5):
        watcher = threading.Thread(
            target=lambda: (time.sleep(0.7), seen.append(someone_waiting(path)))
        )
        watcher.start()
        t0 = time.monotonic()
        store = connect(f"duckdb:///{path}", wait_s=30)
        waited = time.monotonic() - t0
        watcher.join()
    store.close()
    assert 0.5 < waited < 20
    assert seen == [True]  # while it waited, a server could see that it waited
    assert not someone_waiting(path)  # and not once it had the file


def test_a_file_held_past_the_wait_is_a_clear_message(tmp_path: Path) -> None:
    path = tmp_path / "w.duckdb"
    with held(path, 60) as holder:
        t0 = time.monotonic()
        with pytest.raises(DatabaseInUse) as exc:
            connect(f"duckdb:///{path}", wait_s=0.6)
        assert time.monotonic() - t0 >= 0.6
    msg = str(exc.value)
    assert f"PID {holder.pid}" in msg and "waited 0.6 s" in msg and "TRUSTMETER_DB_WAIT" in msg


def test_the_wait_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TRUSTMETER_DB_WAIT", raising=False)
    assert cli_wait_s() == 120
    monkeypatch.setenv("TRUSTMETER_DB_WAIT", "0")
    assert cli_wait_s() == 0
    monkeypatch.setenv("TRUSTMETER_DB_WAIT", "soon")
    with pytest.raises(ConfigError, match="TRUSTMETER_DB_WAIT='soon': expected a number"):
        cli_wait_s()
