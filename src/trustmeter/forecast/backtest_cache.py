"""Backtests kept between commands, in the workspace's `.cache/backtests/`.

The report backtests the forecast of every team it shows (ten thousand simulated trials at
each weekly origin of its history), and each live forecast is calibrated by replaying the
same question over the year before it: about a second and a half of `trustmeter report` on
the demo organisation (bench/README.md). A backtest is a function of nothing but the daily
completions it replays, its parameters and the code that replays them, so it can be kept.
The key is a SHA-256 over all three: the history's first day and every day's count, each
parameter, and the source of the modules that simulate and calibrate (an edited module
computes afresh, as an edited template does in the template cache).

An entry is JSON: data, never code. As with the SQL cache, the folder is safe to delete at
any time and is never part of a backup; a folder that cannot be written, or an entry that
cannot be read, only means computing the backtest again.
"""

from __future__ import annotations

import hashlib
import importlib
import json
from collections.abc import Callable, Mapping
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

from trustmeter.forecast.backtest import Backtest, Origin
from trustmeter.forecast.montecarlo import History
from trustmeter.store.sqlcache import keep

# Under the workspace's root, beside the SQL and template caches.
FOLDER = Path(".cache") / "backtests"
FORMAT = 1  # change when an entry's layout changes


@cache
def _code() -> str:
    """A digest of the modules a backtest's figures come from."""
    h = hashlib.sha256()
    for name in ("backtest", "calibration", "montecarlo", "quantiles"):
        module = importlib.import_module(f"trustmeter.forecast.{name}")
        h.update(Path(str(module.__file__)).read_bytes())
    return h.hexdigest()


class BacktestCache:
    """Backtests on disk, by what they are computed from."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.hits = 0
        self.misses = 0

    def key(self, history: History, params: Mapping[str, Any]) -> str:
        h = hashlib.sha256(f"{FORMAT}|{_code()}|{history.start.isoformat()}|".encode())
        h.update(history.counts.astype("int64").tobytes())
        h.update(json.dumps(params, sort_keys=True, default=repr).encode("utf-8"))
        return h.hexdigest()

    def run(
        self, history: History, params: Mapping[str, Any], make: Callable[[], Backtest]
    ) -> Backtest:
        """The backtest of `history` with `params`: kept, or made by `make()` and kept."""
        path = self.folder / f"{self.key(history, params)}.json"
        try:
            found = loads(path.read_text("utf-8"))
        except (OSError, ValueError, KeyError, TypeError):
            found = None
        if found is not None:
            self.hits += 1
            return found
        self.misses += 1
        made = make()
        keep(path, dumps(made))
        return made


def dumps(bt: Backtest) -> str:
    """A backtest as JSON, every figure exact (floats round-trip through JSON)."""
    return json.dumps(
        {
            "format": FORMAT,
            "window": bt.window,
            "horizon": bt.horizon,
            "every": bt.every,
            "calibrated": bt.calibrated,
            "trials": bt.trials,
            "seed": bt.seed,
            "origins": [_origin(o) for o in bt.origins],
            "warmup": [_origin(o) for o in bt.warmup],
            "skipped": [[d.isoformat(), why] for d, why in bt.skipped],
        }
    )


def loads(text: str) -> Backtest:
    """The backtest `dumps` wrote; ValueError for an entry of another format."""
    raw = json.loads(text)
    if raw.get("format") != FORMAT:
        raise ValueError(f"backtest cache entry of format {raw.get('format')!r}")
    return Backtest(
        window=int(raw["window"]),
        horizon=int(raw["horizon"]),
        every=int(raw["every"]),
        calibrated=bool(raw["calibrated"]),
        origins=[_read_origin(o) for o in raw["origins"]],
        warmup=[_read_origin(o) for o in raw["warmup"]],
        skipped=[(date.fromisoformat(d), str(why)) for d, why in raw["skipped"]],
        trials=int(raw["trials"]),
        seed=int(raw["seed"]),
    )


def _origin(o: Origin) -> dict[str, Any]:
    return {
        "day": o.day.isoformat(),
        "actual": int(o.actual),
        "plain": {str(k): int(v) for k, v in o.plain.items()},
        "forecast": {str(k): int(v) for k, v in o.forecast.items()},
        "calibrated": bool(o.calibrated),
        "quantiles": {str(k): float(v) for k, v in o.quantiles.items()},
        "position": float(o.position),
    }


def _read_origin(o: Mapping[str, Any]) -> Origin:
    return Origin(
        day=date.fromisoformat(o["day"]),
        actual=int(o["actual"]),
        plain={int(k): int(v) for k, v in o["plain"].items()},
        forecast={int(k): int(v) for k, v in o["forecast"].items()},
        calibrated=bool(o["calibrated"]),
        quantiles={int(k): float(v) for k, v in o["quantiles"].items()},
        position=float(o["position"]),
    )
