"""How fast is a Monte Carlo forecast? `python -m bench.forecast_bench`

The claim (docs/forecasting.md): 10,000 trials for a backlog of 1,000 items, from a year of
daily history, in well under a tenth of a second. The history is a year of Poisson(3) daily
completions, so 1,000 items take about 330 days and every trial walks that far.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from datetime import date

import numpy as np

from trustmeter.forecast import History, MonteCarlo

RUNS = 30


def timed(fn: Callable[[], object], runs: int = RUNS) -> list[float]:
    out = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t)
    return out


def main() -> None:
    history = History.of(date(2024, 1, 1), np.random.default_rng(1).poisson(3.0, 365))
    engine = MonteCarlo(history, trials=10_000, seed=7)
    start = history.end.replace(year=history.end.year + 1)
    engine.when(1_000)  # warm-up: first-call imports and allocations
    when = timed(lambda: engine.when(1_000))
    how_many = timed(lambda: engine.how_many(start))
    likely = timed(lambda: engine.likelihood(1_000, start))
    result = engine.when(1_000)
    print(
        f"history: {history.days} days, {int(history.counts.sum()):,} completions "
        f"({engine.sample.mean:.2f} a day); 10,000 trials; {RUNS} runs each"
    )
    print(
        f"when(1,000 items):        median {statistics.median(when) * 1000:6.1f} ms, "
        f"best {min(when) * 1000:6.1f} ms, worst {max(when) * 1000:6.1f} ms"
    )
    print(
        f"how_many(365 days):       median {statistics.median(how_many) * 1000:6.1f} ms, "
        f"best {min(how_many) * 1000:6.1f} ms"
    )
    print(
        f"likelihood(1,000, 365 d): median {statistics.median(likely) * 1000:6.1f} ms, "
        f"best {min(likely) * 1000:6.1f} ms"
    )
    p = result.percentiles
    print(f"when: 50 % by {p[50]}, 85 % by {p[85]}, 95 % by {p[95]}")


if __name__ == "__main__":
    main()
