"""The statistical core of `ordering` on generated series whose answer is known (seeded).

A leader's changes are drawn at random; the follower's change at t copies the leader's change
at t − lag, plus noise of its own. Both series also share an upward drift, so their *levels*
correlate at every lag: only the changes can tell the order.
"""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest

from trustmeter.ordering.lag import MIN_PAIRS, align, estimate, pairs_to_detect
from trustmeter.ordering.verdict import judge, overall


def generated(
    seed: int, periods: int = 20, lag: int = 2, link: float = 1.0, noise: float = 1.0
) -> tuple[list[float | None], list[float | None]]:
    """(leader, follower) levels over `periods`; the follower copies the leader's changes
    `lag` periods later (times `link`), plus its own noise; both drift upwards."""
    rng = np.random.default_rng(seed)
    dx = rng.normal(1.0, 3.0, periods)
    own = rng.normal(1.0, 3.0, periods)
    dy = np.array([link * dx[t - lag] if t >= lag else own[t] for t in range(periods)])
    dy = dy + rng.normal(0.5, noise, periods)
    return list(40 + np.cumsum(dx)), list(30 + np.cumsum(dy))


def test_align_pairs_changes_over_the_same_interval_moved_by_the_lag() -> None:
    leader = [0.0, 1.0, 3.0, 6.0, 10.0]
    follower: list[float | None] = [5.0, None, 7.0, None, 12.0]  # observed at 0, 2, 4
    al = align(leader, follower, 1)
    assert list(al.dy) == [2.0, 5.0]
    # lag 0: leader changes over (0, 2] and (2, 4]; lag 1: over (-1, 1] (unknown) and (1, 3]
    assert list(al.dx[0]) == [3.0, 7.0]
    assert np.isnan(al.dx[1][0]) and al.dx[1][1] == 5.0
    # lag -1: the follower would lead: leader over (1, 3] and (3, 5] (unknown)
    assert al.dx[-1][0] == 5.0 and np.isnan(al.dx[-1][1])


def test_leader_two_periods_ahead_is_found_with_the_lag_inside_its_interval() -> None:
    leader, follower = generated(seed=3)
    r = estimate(leader, follower, max_lag=4, seed=1)
    assert r.lag == 2
    assert r.interval is not None and r.interval[0] <= 2 <= r.interval[1]
    assert r.p_value is not None and r.p_value < 0.05
    v = judge("stability", "relationships", r, "periods")
    assert v.verdict == "supports"
    assert v.as_dict()["lag_periods"] == 2


def test_the_same_answer_every_run() -> None:
    leader, follower = generated(seed=5)
    assert estimate(leader, follower, 4, seed=1) == estimate(leader, follower, 4, seed=1)


def test_reversed_order_contradicts() -> None:
    leader, follower = generated(seed=3)
    # The framework's "leader" is in fact the one that follows.
    r = estimate(follower, leader, max_lag=4, seed=1)
    assert r.lag == -2
    assert r.interval is not None and r.interval[1] < 0
    assert judge("stability", "relationships", r, "periods").verdict == "contradicts"


def test_no_relation_is_never_supports() -> None:
    leader, follower = generated(seed=11, link=0.0, noise=3.0)
    v = judge("stability", "planning", estimate(leader, follower, 4, seed=1), "periods")
    assert v.verdict in ("not_demonstrable", "mixed")
    assert v.verdict != "supports"


def test_null_test_holds_its_level_on_unrelated_series() -> None:
    """Over 40 unrelated pairs, about 5 % may look linked by chance (the test's level); far
    more would mean the null test is broken."""
    verdicts = Counter(
        judge("a", "b", estimate(*generated(s, link=0.0, noise=3.0), 4, seed=1), "periods").verdict
        for s in range(40)
    )
    decided = verdicts["supports"] + verdicts["contradicts"] + verdicts["mixed"]
    assert decided <= 4, verdicts


def test_shared_trend_alone_is_not_an_order() -> None:
    """Two series that both rise steadily (levels correlate almost perfectly) but whose
    changes are unrelated: no order may be claimed."""
    rng = np.random.default_rng(8)
    t = np.arange(20)
    leader = list(30 + 2.0 * t + rng.normal(0, 1.5, 20))
    follower = list(20 + 2.5 * t + rng.normal(0, 1.5, 20))
    assert np.corrcoef(leader, follower)[0, 1] > 0.95
    v = judge("a", "b", estimate(leader, follower, 4, seed=1), "periods")
    assert v.verdict in ("not_demonstrable", "mixed")


def test_too_few_survey_campaigns_is_not_demonstrable_with_what_is_needed() -> None:
    leader, follower = generated(seed=3, periods=12)
    # The follower is a survey: observed only when a campaign closed, four times.
    sparse: list[float | None] = [v if i in (2, 5, 8, 11) else None for i, v in enumerate(follower)]
    r = estimate(leader, sparse, 4, seed=1)
    assert r.lag is None and r.changes == 3
    v = judge("stability", "relationships", r, "campaigns", cadence=3.0)
    assert v.verdict == "not_demonstrable"
    assert v.needs is not None
    # 3 changes, 9 needed (MIN_PAIRS + 1): 6 more campaigns, 18 more periods at one a 3.
    assert (v.needs.campaigns, v.needs.periods) == (MIN_PAIRS + 1 - 3, 3 * (MIN_PAIRS + 1 - 3))
    assert "not demonstrable yet" in v.reason
    assert "6 more survey campaigns" in v.needs.text


def test_sparse_follower_with_enough_campaigns_finds_the_lag() -> None:
    """Monthly leader, follower surveyed every other month: the lag is still found."""
    leader, follower = generated(seed=4, periods=40, lag=4, noise=0.5)
    sparse: list[float | None] = [v if i % 2 == 0 else None for i, v in enumerate(follower)]
    r = estimate(leader, sparse, 6, seed=1)
    assert r.lag == 4, r
    assert r.interval is not None and r.interval[0] <= 4 <= r.interval[1]
    assert judge("a", "b", r, "campaigns", 2.0).verdict == "supports"


@pytest.mark.parametrize(
    ("verdicts", "expected"),
    [
        (["supports", "supports", "not_demonstrable"], "supports"),
        (["supports", "contradicts"], "mixed"),
        (["contradicts", "not_demonstrable"], "contradicts"),
        (["supports", "mixed", "mixed"], "mixed"),
        (["not_demonstrable", "not_demonstrable"], "not_demonstrable"),
    ],
)
def test_overall_verdict(verdicts: list[str], expected: str) -> None:
    leader, follower = generated(seed=3)
    r = estimate(leader, follower, 4, seed=1)
    pairs = [judge("a", "b", r, "periods") for _ in verdicts]
    pairs = [
        p.__class__(**{**p.__dict__, "verdict": v}) for p, v in zip(pairs, verdicts, strict=True)
    ]
    assert overall(pairs).verdict == expected


def test_pairs_needed_grows_as_the_link_weakens() -> None:
    strong, weak = pairs_to_detect(0.8, 9), pairs_to_detect(0.3, 9)
    assert strong is not None and weak is not None and strong < weak
    assert pairs_to_detect(0.0, 9) is None


def test_enough_changes_that_do_not_line_up_is_not_demonstrable_with_what_is_needed() -> None:
    """The follower changes 11 times, but the leader is observed only now and then: too few
    pairs of changes line up at any lag, and the verdict says so (not "no link")."""
    leader, follower = generated(seed=3, periods=12)
    sparse_leader: list[float | None] = [v if i % 3 == 0 else None for i, v in enumerate(leader)]
    r = estimate(sparse_leader, follower, 2, seed=1)
    assert r.changes == 11 and r.lag is None and r.p_value is None and r.pairs < MIN_PAIRS
    v = judge("talent", "stability", r, "campaigns", 3.0)
    assert v.verdict == "not_demonstrable"
    assert "line up" in v.reason and v.needs is not None
    assert v.needs.campaigns == MIN_PAIRS - r.pairs
