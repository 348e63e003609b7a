"""Which series moves first: the lag that best aligns two series' changes, with its uncertainty.

Area scores are short (8 to 40 periods), trending (an organisation that improves, improves
everywhere) and, for survey-based areas, observed only when a campaign closes. Levels that
share a trend correlate at every lag, so we align *changes*: each of the follower's changes
between two consecutive observations is paired with the leader's change over the same
interval moved `lag` periods earlier. The lag whose pairs correlate best (Pearson, positive:
an improvement follows an improvement) is the estimate. Its uncertainty is a moving-block
bootstrap of the follower's changes (blocks keep short-range dependence); the null test is a
block permutation of the follower's changes against the leader, with the maximum over all
lags searched as the statistic, so searching many lags is paid for. Everything is seeded.

docs/ordering.md gives the method, its assumptions and its limits.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]

# Fewest pairs of changes a lag may rest on; below it the order is not demonstrable.
MIN_PAIRS = 8
# Significance of the permutation test (on the maximum over all lags searched).
ALPHA = 0.05
# Share of bootstrap replicates left out on each side of the lag interval (a 90 % interval).
TAIL = 0.05
REPLICATES = 999


@dataclass(frozen=True)
class Alignment:
    """The changes of a follower and of a leader at each lag, interval by interval.

    `dy[i]` is the follower's change over its i-th interval between two observations;
    `dx[k][i]` is the leader's change over the same interval moved k periods earlier, NaN
    where the leader was not observed at both ends.
    """

    dy: FloatArray
    dx: dict[int, FloatArray]


@dataclass(frozen=True)
class LagResult:
    """The best-aligned lag, its interval and the null test; None where data was too short."""

    lag: int | None
    correlation: float | None
    pairs: int  # pairs of changes at the estimated lag
    changes: int  # follower changes available
    max_lag: int  # lags searched: -max_lag..max_lag
    interval: tuple[int, int] | None
    p_value: float | None
    by_lag: dict[int, tuple[float | None, int]] = field(default_factory=dict)


def align(
    leader: Sequence[float | None], follower: Sequence[float | None], max_lag: int
) -> Alignment:
    """Pair the follower's changes between its observations with the leader's, lag by lag.

    A lag k > 0 means the leader's change came k periods before the follower's.
    """
    x = np.array([np.nan if v is None else float(v) for v in leader], dtype=np.float64)
    obs = [t for t, v in enumerate(follower) if v is not None]
    starts = np.array(obs[:-1], dtype=np.int64)
    ends = np.array(obs[1:], dtype=np.int64)
    y = np.array([np.nan if v is None else float(v) for v in follower], dtype=np.float64)
    dy = y[ends] - y[starts] if len(obs) > 1 else np.zeros(0, dtype=np.float64)
    dx: dict[int, FloatArray] = {}
    for k in range(-max_lag, max_lag + 1):
        a, b = starts - k, ends - k
        ok = (a >= 0) & (b >= 0) & (a < len(x)) & (b < len(x))
        out = np.full(len(dy), np.nan)
        out[ok] = x[b[ok]] - x[a[ok]]
        dx[k] = out
    return Alignment(dy, dx)


def _weighted_corr(dx: FloatArray, dy: FloatArray, w: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Pearson correlation of dx and dy per row of weights `w` (replicates × intervals).

    `dy` is one row of follower changes, or one row per replicate (permutations). Intervals
    where dx is NaN carry no weight. Returns (correlation, weight) per row; the correlation
    is NaN where fewer than three pairs carry weight or a side does not vary.
    """
    rows = max(w.shape[0], dy.shape[0] if dy.ndim == 2 else 1)
    valid = ~np.isnan(dx)
    w = np.broadcast_to(w * valid, (rows, len(dx)))
    ys = np.broadcast_to(dy, (rows, len(dx)))
    x = np.where(valid, dx, 0.0)
    n = w.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        mx = (w * x).sum(axis=1) / n
        my = (w * ys).sum(axis=1) / n
        cx = x[None, :] - mx[:, None]
        cy = ys - my[:, None]
        sxy = (w * cx * cy).sum(axis=1)
        sxx = (w * cx * cx).sum(axis=1)
        syy = (w * cy * cy).sum(axis=1)
        r = sxy / np.sqrt(sxx * syy)
    tiny = 1e-12
    r[(n < 3) | (sxx <= tiny) | (syy <= tiny)] = np.nan
    return r, n


def _corr_by_lag(al: Alignment, w: FloatArray, dy: FloatArray | None = None) -> FloatArray:
    """Correlation per replicate (rows) and lag (columns, -max_lag..max_lag in order)."""
    ys = al.dy if dy is None else dy
    cols = [_weighted_corr(al.dx[k], ys, w)[0] for k in sorted(al.dx)]
    return np.stack(cols, axis=1)


def _best(corr: FloatArray, lags: Sequence[int]) -> tuple[FloatArray, FloatArray]:
    """Best lag and its correlation per row; ties go to the shortest lag. NaN when none."""
    order = sorted(range(len(lags)), key=lambda i: (abs(lags[i]), lags[i]))
    c = corr[:, order]
    filled = np.where(np.isnan(c), -np.inf, c)
    idx = np.argmax(filled, axis=1)
    best = filled[np.arange(len(c)), idx]
    lag = np.array([lags[order[i]] for i in idx], dtype=np.float64)
    lag[np.isinf(best)] = np.nan
    best[np.isinf(best)] = np.nan
    return lag, best


def _block_len(m: int) -> int:
    """Block length for m changes: about m^(1/3), the usual rate for the block bootstrap."""
    return max(2, math.floor(math.pow(m, 1 / 3) + 0.5))


def _bootstrap_weights(m: int, reps: int, rng: np.random.Generator) -> FloatArray:
    """Moving-block bootstrap: how often each of m intervals is drawn, per replicate."""
    size = _block_len(m)
    blocks = math.ceil(m / size)
    starts = rng.integers(0, m - size + 1, size=(reps, blocks))
    idx = (starts[:, :, None] + np.arange(size)[None, None, :]).reshape(reps, -1)[:, :m]
    w = np.zeros(reps * m)
    np.add.at(w, (idx + (np.arange(reps) * m)[:, None]).ravel(), 1.0)
    return w.reshape(reps, m)


def _block_permutations(m: int, reps: int, rng: np.random.Generator) -> npt.NDArray[np.int64]:
    """Orders of m intervals (one row per replicate) that shuffle whole blocks, keeping each
    block's inner order."""
    size = _block_len(m)
    blocks = [np.arange(s, min(s + size, m)) for s in range(0, m, size)]
    return np.stack(
        [np.concatenate([blocks[i] for i in rng.permutation(len(blocks))]) for _ in range(reps)]
    )


def estimate(
    leader: Sequence[float | None],
    follower: Sequence[float | None],
    max_lag: int,
    seed: int = 0,
    replicates: int = REPLICATES,
) -> LagResult:
    """The lag (in periods) by which the leader's changes best precede the follower's.

    The lags searched are limited so that each keeps about MIN_PAIRS pairs; with fewer
    follower changes than MIN_PAIRS + 1 nothing is estimated (lag None).
    """
    first = align(leader, follower, 0)
    m = len(first.dy)
    max_lag = min(max_lag, m - MIN_PAIRS)
    if max_lag < 1:
        return LagResult(None, None, 0, m, max(max_lag, 0), None, None)
    al = align(leader, follower, max_lag)
    lags = sorted(al.dx)
    ones = np.ones((1, m))
    observed = _corr_by_lag(al, ones)
    counts = [int((~np.isnan(al.dx[k])).sum()) for k in lags]
    by_lag = {
        k: (None if np.isnan(observed[0, i]) else round(float(observed[0, i]), 3), counts[i])
        for i, k in enumerate(lags)
    }
    # Only lags resting on enough pairs compete.
    usable = np.array([c >= MIN_PAIRS for c in counts])
    observed[:, ~usable] = np.nan
    lag, best = _best(observed, lags)
    pairs = max(counts) if counts else 0
    if not usable.any():
        # Enough changes, but too few of them line up with an observed leader change.
        return LagResult(None, None, pairs, m, max_lag, None, None, by_lag)
    if np.isnan(lag[0]) or best[0] <= 0:
        return LagResult(None, None, pairs, m, max_lag, None, 1.0, by_lag)
    rng = np.random.default_rng(seed)
    boot = _corr_by_lag(al, _bootstrap_weights(m, replicates, rng))
    boot[:, ~usable] = np.nan
    boot_lag, _ = _best(boot, lags)
    boot_lag = boot_lag[~np.isnan(boot_lag)]
    interval = None
    if len(boot_lag):
        lo, hi = np.quantile(boot_lag, [TAIL, 1 - TAIL], method="inverted_cdf")
        interval = (int(lo), int(hi))
    null = _corr_by_lag(al, ones, al.dy[_block_permutations(m, replicates, rng)])
    null[:, ~usable] = np.nan
    null_max = np.max(np.where(np.isnan(null), -np.inf, null), axis=1)
    exceed = int((null_max >= best[0] - 1e-12).sum())
    p = (1 + exceed) / (1 + replicates)
    k = int(lag[0])
    return LagResult(
        lag=k,
        correlation=round(float(best[0]), 3),
        pairs=counts[lags.index(k)],
        changes=m,
        max_lag=max_lag,
        interval=interval,
        p_value=round(p, 4),
        by_lag=by_lag,
    )


def pairs_to_detect(r: float, lags_searched: int, power: float = 0.8) -> int | None:
    """Pairs of changes needed to detect a correlation r at ALPHA, split over the lags searched
    (Bonferroni), with the given power (Fisher's z). None when r is not positive."""
    from statistics import NormalDist

    if r <= 0 or r >= 1:
        return None if r <= 0 else MIN_PAIRS
    z = NormalDist()
    need = ((z.inv_cdf(1 - ALPHA / max(lags_searched, 1)) + z.inv_cdf(power)) / math.atanh(r)) ** 2
    return max(MIN_PAIRS, math.ceil(need + 3))
