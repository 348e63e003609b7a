"""Measuring the scorecard bench: peak RSS per phase, the Probe inside trustmeter, cProfile."""

from __future__ import annotations

import contextlib
import cProfile
import dataclasses
import resource
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from trustmeter.metrics import catalogue, registry
from trustmeter.periods import Period
from trustmeter.store import Store


def reset_peak() -> None:
    """Reset the kernel's high-water mark of this process's RSS (Linux: clear_refs 5)."""
    with contextlib.suppress(OSError), open("/proc/self/clear_refs", "w") as fh:
        fh.write("5")


def peak_mb() -> float:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# -- instrumenting trustmeter (in this process only; src/ is untouched) -----------------------
class Probe:
    """Records each metric's raw (unrounded) value and n, its wall time, and the time spent
    in ibis compilation, in execution (compile excluded) and in table look-ups."""

    def __init__(self) -> None:
        self.phase = ""
        self.raw: dict[str, dict[tuple[str, Period], tuple[float | None, int]]] = defaultdict(dict)
        self.metric_s: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
        self.ibis_s: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
        self._depth = 0
        for mid, m in catalogue.all_metrics().items():
            registry.REGISTRY[mid] = dataclasses.replace(m, compute=self._wrap_metric(m))
        import trustmeter.scorecard.scorer as sc

        # The data probe: one query for every metric's needs, as the Scorer calls it.
        sc.present_needs = self._timed("has_data", sc.present_needs)
        # On PostgreSQL the metrics run side by side, each thread on a connection of its own
        # (store/side_by_side.py): those connections are timed too.
        from trustmeter.store import side_by_side

        opened = side_by_side.connect

        def connect(url: str) -> Store:
            store = opened(url)
            self.attach(store)
            return store

        side_by_side.connect = connect
        self._lock = threading.Lock()

    def _wrap_metric(self, m: registry.Metric) -> registry.Compute:
        inner = m.compute

        # Since engine v2 a metric computes a Batch (every period at once) into
        # {period: Measurement}.
        def compute(batch: Any) -> Any:
            t = time.perf_counter()
            results = inner(batch)
            with self._lock:
                self.metric_s[self.phase][m.id] += time.perf_counter() - t
            for period, result in results.items():
                self.raw[self.phase][(m.id, period)] = (
                    None if result.value is None else float(result.value),
                    int(result.n),
                )
            return results

        return compute

    def _timed(self, what: str, fn: Callable[..., Any]) -> Callable[..., Any]:
        def timed(*a: Any, **kw: Any) -> Any:
            t = time.perf_counter()
            try:
                return fn(*a, **kw)
            finally:
                with self._lock:
                    self.ibis_s[self.phase][what] += time.perf_counter() - t
                    self.ibis_s[self.phase][what + "_calls"] += 1

        return timed

    def attach(self, store: Store) -> None:
        con = store.con
        con.compile = self._timed("compile", con.compile)  # type: ignore[method-assign]
        con.execute = self._timed("execute", con.execute)  # type: ignore[method-assign]
        # Engine v2 reads every result as Arrow.
        con.to_pyarrow = self._timed("execute", con.to_pyarrow)  # type: ignore[method-assign]
        con.table = self._timed("table", con.table)  # type: ignore[method-assign]


@contextlib.contextmanager
def profiled(path: Path | None) -> Iterator[None]:
    if path is None:
        yield
        return
    prof = cProfile.Profile()
    prof.enable()
    try:
        yield
    finally:
        prof.disable()
        prof.dump_stats(str(path))
