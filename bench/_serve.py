"""What the load tests share: a real `trustmeter serve` on loopback, a scratch PostgreSQL
database of their own, and latency percentiles."""

from __future__ import annotations

import contextlib
import signal
import socket
import statistics
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

from trustmeter.store import connect


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(root: Path, port: int, *extra: str) -> subprocess.Popen[bytes]:
    """`trustmeter serve --no-warm` on 127.0.0.1:`port`, once it accepts connections."""
    exe = Path(sys.executable).with_name("trustmeter")
    cmd = [str(exe), "-w", str(root), "serve", "--host", "127.0.0.1", "--port", str(port),
           "--no-warm", *extra]  # fmt: skip
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(
                f"the server stopped: {proc.stderr.read().decode() if proc.stderr else ''}"
            )
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return proc
        except OSError:
            time.sleep(0.1)
    proc.kill()
    raise SystemExit("the server did not start within 30 s")


def stop_server(proc: subprocess.Popen[bytes]) -> None:
    """Ctrl+C, as an operator would; killed when it has not stopped within 20 s."""
    proc.send_signal(signal.SIGINT)
    try:
        proc.wait(20)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


@contextlib.contextmanager
def scratch_database(url: str, prefix: str, keep: bool = False) -> Iterator[str]:
    """A fresh database on the server at `url` (whose own database is only used to connect),
    so that a run's data are its own; dropped afterwards unless `keep`."""
    name = f"{prefix}_{uuid.uuid4().hex[:8]}"
    admin = connect(url)
    admin.execute(f"CREATE DATABASE {name}")
    admin.close()
    try:
        yield url.rsplit("/", 1)[0] + "/" + name
    finally:
        if not keep:
            admin = connect(url)
            admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
            admin.close()


def percentile(values: list[float], p: int) -> float:
    if len(values) < 2:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[p - 1]
