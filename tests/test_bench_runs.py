"""The benchmarks run as the README says: each command, at a tiny scale, finishes and prints
its figures. A benchmark that breaks when the code under it moves is caught here, not on the
day someone needs its numbers (bench/probe.py once patched a function that had moved)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _bench(*args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-4000:]
    return done.stdout


def test_scorecard_bench_runs_and_agrees_with_pandas() -> None:
    out = _bench(
        "bench.scorecard_bench", "--work-items", "20000", "--incidents", "4000", "--changes", "1000"
    )
    assert "all 13 covered metrics agree in every period scored" in out
    assert "where trustmeter's time goes" in out


def test_import_bench_runs(tmp_path: Path) -> None:
    out = _bench("bench.import_bench", "--rows", "20000", "--out", str(tmp_path))
    assert "(b) trustmeter import" in out and "(c) re-import, all unchanged" in out
    assert "20,000 inserted" in out and "20,000 unchanged" in out
