"""Is a change between two periods beyond the period-to-period noise? Two rules, one per shape.

- **A share of counted things** (change failure rate: failed changes of all production
  changes) is tested with a two-proportion z-test: the chance that both periods draw from
  the same underlying rate. The normal approximation is used only when every expected count
  is at least 5; below that the sample is too small to tell.
- **Every other figure** (medians, percentiles, rates, counts per month, survey means) is
  judged against its own history with the moving ranges of an XmR chart: the largest change
  that routine variation produces between two values is 3.268 times the average moving range
  (D4 for subgroups of two; Wheeler, *Understanding Variation*). Times and frequencies, which
  span orders of magnitude, are judged on the log scale (so a change is a ratio).

docs/compare.md gives the reasons and the worked examples the tests check.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from statistics import NormalDist
from typing import Any, Literal

Verdict = Literal[
    "beyond_noise", "within_noise", "no_change", "too_small", "short_history", "not_comparable"
]
Method = Literal["two_proportion", "xmr", "none"]

# D4 for moving ranges of two: the upper limit of a moving range is D4 × the average range.
MR_LIMIT = 3.268
# A two-sided test at 95 %.
Z_CRIT = NormalDist().inv_cdf(0.975)
# The normal approximation to the difference of two shares holds when every expected count
# (successes and failures on each side, under the pooled share) is at least this.
MIN_EXPECTED = 5.0
# Fewest history values (so one fewer moving ranges) for usable limits (Wheeler: 5 or 6).
MIN_HISTORY = 5

WORDS: dict[Verdict, str] = {
    "beyond_noise": "beyond noise",
    "within_noise": "within noise",
    "no_change": "no change",
    "too_small": "too few to tell",
    "short_history": "too little history to tell",
    "not_comparable": "not comparable",
}


@dataclass(frozen=True)
class Noise:
    """The verdict on one change, the rule that gave it, and why in a plain sentence."""

    verdict: Verdict
    method: Method
    reason: str
    # two_proportion: z; xmr: the change over the limit (beyond noise above 1).
    statistic: float | None = None
    # xmr: the largest routine change, in the figure's unit (a ratio on the log scale).
    limit: float | None = None

    @property
    def words(self) -> str:
        return WORDS[self.verdict]

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def proportion_noise(share_a: float, n_a: int, share_b: float, n_b: int) -> Noise:
    """Two shares (in %) of `n_a` and `n_b` counted things: a pooled two-proportion z-test."""
    if n_a <= 0 or n_b <= 0:
        return Noise("not_comparable", "none", "one side counted nothing")
    x_a, x_b = round(share_a / 100 * n_a), round(share_b / 100 * n_b)
    pooled = (x_a + x_b) / (n_a + n_b)
    if x_a / n_a == x_b / n_b:
        return Noise("no_change", "two_proportion", f"{x_a} of {n_a} against {x_b} of {n_b}")
    expected = min(min(pooled, 1 - pooled) * n for n in (n_a, n_b))
    if expected < MIN_EXPECTED:
        return Noise(
            "too_small",
            "two_proportion",
            f"{x_a} of {n_a} against {x_b} of {n_b}: too few to tell a change from chance "
            f"(an expected count of {expected:.1f}, below {MIN_EXPECTED:g})",
        )
    se = math.sqrt(pooled * (1 - pooled) * (1 / n_a + 1 / n_b))
    z = (x_b / n_b - x_a / n_a) / se
    beyond = abs(z) >= Z_CRIT
    return Noise(
        "beyond_noise" if beyond else "within_noise",
        "two_proportion",
        f"{x_a} of {n_a} against {x_b} of {n_b}: z = {z:.2f}, "
        + ("beyond" if beyond else "within")
        + f" ±{Z_CRIT:.2f} (95 %)",
        statistic=round(z, 3),
    )


def xmr_noise(
    history: Sequence[float], a: float, b: float, log_scale: bool = False, campaigns: bool = False
) -> Noise:
    """The change from `a` to `b` against the moving ranges of `history` (oldest first).

    `log_scale`: judge the ratio b/a against the moving ranges of the logs (needs values
    above zero, else the linear rule is used). `campaigns`: a survey figure repeats until a
    new campaign closes, so runs of the same value count once.
    """
    if a == b:
        return Noise("no_change", "xmr", "the same value in both periods")
    values = list(history)
    if campaigns:
        values = [v for i, v in enumerate(values) if i == 0 or v != values[i - 1]]
    use_log = log_scale and min([*values, a, b], default=0) > 0
    if use_log:
        values = [math.log(v) for v in values]
    if len(values) < MIN_HISTORY:
        what = "distinct survey results" if campaigns else "scored periods"
        return Noise(
            "short_history",
            "xmr",
            f"{len(values)} {what} before, at least {MIN_HISTORY} needed for limits",
        )
    ranges = [abs(x - y) for x, y in zip(values[1:], values, strict=False)]
    limit = MR_LIMIT * sum(ranges) / len(ranges)
    change = math.log(b / a) if use_log else b - a
    if limit == 0:
        return Noise(
            "beyond_noise",
            "xmr",
            f"the figure did not move in {len(values)} periods before",
            limit=0.0,
        )
    ratio = abs(change) / limit
    beyond = ratio > 1
    if use_log:
        shown = f"a change by a factor of {math.exp(abs(change)):.2f}, routine up to {math.exp(limit):.2f}"
        limit_out = math.exp(limit)
    else:
        shown = f"a change of {abs(change):.3g}, routine up to {limit:.3g}"
        limit_out = limit
    return Noise(
        "beyond_noise" if beyond else "within_noise",
        "xmr",
        f"{shown} (3.268 × the average moving range of {len(values)} periods)",
        statistic=round(ratio, 3),
        limit=round(limit_out, 4),
    )
