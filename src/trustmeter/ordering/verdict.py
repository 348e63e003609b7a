"""A plain verdict per ordered pair and overall, and what more data would decide it.

`supports`: the leader's changes come first, the whole lag interval after zero, and the link
beats the block-permutation null. `contradicts`: the same, the other way round. `mixed`: the
changes are linked but the interval does not settle which comes first (or pairs disagree).
`not_demonstrable`: too few changes to test, or no link found; never a claim either way.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Literal

from trustmeter.ordering.lag import ALPHA, MIN_PAIRS, LagResult, pairs_to_detect

Verdict = Literal["supports", "contradicts", "mixed", "not_demonstrable"]
Unit = Literal["periods", "campaigns"]

# The pairs the framework orders: stability and delivery before relationships and planning,
# talent underneath stability and delivery.
PAIRS: tuple[tuple[str, str], ...] = (
    ("stability", "relationships"),
    ("stability", "planning"),
    ("delivery", "relationships"),
    ("delivery", "planning"),
    ("talent", "stability"),
    ("talent", "delivery"),
)

NOT_YET = "not demonstrable yet"


@dataclass(frozen=True)
class Needs:
    """What more data would decide a pair: extra periods or survey campaigns, in words."""

    periods: int | None
    campaigns: int | None
    text: str

    def as_dict(self) -> dict[str, Any]:
        return {"periods": self.periods, "campaigns": self.campaigns, "text": self.text}


@dataclass(frozen=True)
class PairVerdict:
    leader: str
    follower: str
    result: LagResult
    verdict: Verdict
    reason: str
    needs: Needs | None
    sparse: bool  # the pair's changes are counted between survey campaigns

    def as_dict(self) -> dict[str, Any]:
        r = self.result
        return {
            "leader": self.leader,
            "follower": self.follower,
            "lag_periods": r.lag,
            "interval": list(r.interval) if r.interval else None,
            "correlation": r.correlation,
            "p_value": r.p_value,
            "pairs": r.pairs,
            "changes": r.changes,
            "lags_searched": [-r.max_lag, r.max_lag] if r.max_lag else None,
            "observed_at": "survey campaigns" if self.sparse else "every period",
            "by_lag": {str(k): {"r": c, "n": n} for k, (c, n) in sorted(r.by_lag.items())},
            "verdict": self.verdict,
            "reason": self.reason,
            "needs": self.needs.as_dict() if self.needs else None,
        }


def _more(count: int, unit: Unit, cadence: float | None) -> Needs:
    """`count` more observations, in the unit that limits the pair."""
    if unit == "campaigns":
        text = f"about {count} more survey campaign{'s' if count != 1 else ''}"
        if cadence:
            text += f" (at the current pace of one every {cadence:g} periods, {math.ceil(count * cadence)} more periods)"
        return Needs(math.ceil(count * cadence) if cadence else None, count, text)
    return Needs(count, None, f"about {count} more period{'s' if count != 1 else ''}")


def judge(
    leader: str, follower: str, r: LagResult, unit: Unit, cadence: float | None = None
) -> PairVerdict:
    """The verdict for one ordered pair from its lag estimate.

    `unit` is what adds a change to the pair: a period, or a survey campaign when either side
    is observed only when a campaign closes; `cadence` is periods per campaign so far.
    """
    sparse = unit == "campaigns"

    def out(v: Verdict, reason: str, needs: Needs | None = None) -> PairVerdict:
        return PairVerdict(leader, follower, r, v, reason, needs, sparse)

    if r.lag is None and r.p_value is None and r.changes > MIN_PAIRS:
        return out(
            "not_demonstrable",
            f"{NOT_YET}: {follower} changed {r.changes} times, but at most {r.pairs} of those "
            f"changes line up with an observed change of {leader} at any lag; {MIN_PAIRS} are needed",
            _more(MIN_PAIRS - r.pairs, unit, cadence),
        )
    if r.lag is None and r.p_value is None:
        short = MIN_PAIRS + 1 - r.changes
        what = "survey campaigns" if sparse else "periods"
        return out(
            "not_demonstrable",
            f"{NOT_YET}: {r.changes} change{'s' if r.changes != 1 else ''} of {follower} between "
            f"{what}; testing an order takes at least {MIN_PAIRS + 1}",
            _more(max(short, 1), unit, cadence),
        )
    if r.lag is None or r.p_value is None or r.p_value >= ALPHA:
        best = max((c for c, _ in r.by_lag.values() if c is not None), default=0.0)
        lags = 2 * r.max_lag + 1
        need = pairs_to_detect(best, lags)
        reason = (
            f"{NOT_YET}: no link between the changes of {leader} and {follower} at any lag from "
            f"-{r.max_lag} to {r.max_lag} periods"
            + (f" (best r = {best:.2f}, p = {r.p_value:.2f})" if r.p_value is not None else "")
        )
        if need is None or need > 3 * max(r.pairs, MIN_PAIRS):
            return out(
                "not_demonstrable",
                reason,
                Needs(None, None, "more data is unlikely to decide it: the changes look unrelated"),
            )
        more = _more(max(need - r.pairs, 1), unit, cadence)
        return out(
            "not_demonstrable",
            reason,
            Needs(
                more.periods,
                more.campaigns,
                more.text + f", if the link seen so far (r = {best:.2f}) is real",
            ),
        )
    lo, hi = r.interval if r.interval else (r.lag, r.lag)
    tail = f"lag {r.lag} period{'s' if abs(r.lag) != 1 else ''}, interval [{lo}, {hi}], r = {r.correlation}, p = {r.p_value}"
    if lo >= 1:
        return out("supports", f"{leader} changes first ({tail})")
    if hi <= -1:
        return out("contradicts", f"{follower} changes first ({tail})")
    return out(
        "mixed",
        f"their changes are linked but which comes first is not settled ({tail})",
        Needs(None, None, "shorter periods (months) or a longer history could separate them"),
    )


@dataclass(frozen=True)
class Overall:
    verdict: Verdict
    text: str
    needs: Needs | None


def overall(pairs: list[PairVerdict]) -> Overall:
    """One verdict for the order: supports only when supporting pairs outnumber mixed ones and
    none contradicts; any disagreement between decided pairs is mixed."""
    count = {
        v: sum(1 for p in pairs if p.verdict == v)
        for v in ("supports", "contradicts", "mixed", "not_demonstrable")
    }
    s, c, m, n = count["supports"], count["contradicts"], count["mixed"], count["not_demonstrable"]
    tally = f"{s} supports, {c} contradicts, {m} mixed, {n} {NOT_YET} (of {len(pairs)} pairs)"
    verdict: Verdict
    if s and c:
        verdict = "mixed"
    elif s:
        verdict = "supports" if s > m else "mixed"
    elif c:
        verdict = "contradicts" if c > m else "mixed"
    else:
        verdict = "mixed" if m else "not_demonstrable"
    lead = {
        "supports": "Your history supports the framework's order",
        "contradicts": "Your history contradicts the framework's order",
        "mixed": "Your history gives a mixed answer on the framework's order",
        "not_demonstrable": f"The framework's order is {NOT_YET} on your history",
    }[verdict]
    waiting = [p.needs for p in pairs if p.verdict == "not_demonstrable" and p.needs]
    periods = [w.periods for w in waiting if w.periods is not None]
    campaigns = [w.campaigns for w in waiting if w.campaigns is not None]
    needs = None
    if waiting:
        parts = []
        if periods:
            parts.append(f"about {max(periods)} more periods")
        if campaigns:
            parts.append(f"about {max(campaigns)} more survey campaigns")
        text = (
            " and ".join(parts) + f" would let the {len(waiting)} undecided pair(s) be tested"
            if parts
            else "more data is unlikely to decide the undecided pairs: their changes look unrelated"
        )
        needs = Needs(
            max(periods) if periods else None, max(campaigns) if campaigns else None, text
        )
    return Overall(verdict, f"{lead}: {tally}.", needs)
