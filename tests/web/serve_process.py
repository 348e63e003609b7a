"""Servers for the web tests: a real `trustmeter serve` in a subprocess (`serving`), for the
tests that need the whole server (its start-up, its lease on the database, its signals), and
an app served by uvicorn in a thread of the test's process (`in_thread`), for the browser."""

from __future__ import annotations

import contextlib
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

EXE = Path(sys.executable).with_name("trustmeter")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def serving(root: Path, log: Path, stop: int = signal.SIGINT) -> Iterator[str]:
    """`trustmeter serve` on a free loopback port, its output in `log`; yields its base URL
    once it listens, and stops it with `stop` afterwards (killed after 20 s)."""
    port = free_port()
    cmd = [EXE, "-w", root, "serve", "--host", "127.0.0.1", "--port", str(port), "--no-warm",
           "--insecure-cookies"]  # fmt: skip
    with log.open("wb") as out:
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while True:
            assert proc.poll() is None, f"the server stopped:\n{log.read_text()}"
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 1):
                break
            assert time.monotonic() < deadline, "the server did not listen"
            time.sleep(0.1)
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.send_signal(stop)
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@contextlib.contextmanager
def in_thread(app: Any, timeout: float = 20, serve_config: bool = False) -> Iterator[str]:
    """`app` served by uvicorn in a thread on a free loopback port; yields its base URL once
    it has started. With `serve_config`, the configuration `trustmeter serve` uses (proxy
    headers, limits); else uvicorn's own, quiet."""
    import uvicorn

    from trustmeter.cli.web import server_config

    port = free_port()
    config = (
        server_config(app, "127.0.0.1", port)
        if serve_config
        else uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning")
    )
    srv = uvicorn.Server(config)
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + timeout
    while not srv.started:
        assert time.monotonic() < deadline, "the server did not start"
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        srv.should_exit = True
        thread.join(10)
