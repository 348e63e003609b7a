"""Does the framework's order hold on this organisation's own history? (docs/ordering.md)

history.py reads the history (area scores and stages per period, survey closings, gate
crossings), lag.py estimates which area's changes come first, verdict.py judges each pair,
analysis.py puts them together, render.py prints them. `run` is the entry point.
"""

from __future__ import annotations

from datetime import date

from trustmeter.framework import load
from trustmeter.ordering.analysis import Ordering, analyse
from trustmeter.ordering.history import build, first_record_day
from trustmeter.ordering.method_change import method_changes
from trustmeter.periods import Period, PeriodKind, containing, last_complete
from trustmeter.scorecard.scorer import Scorer

__all__ = ["Ordering", "history_periods", "run", "scored_periods"]

# The most periods one analysis scores: ten years of quarters, five of months.
MAX_PERIODS = {"quarter": 40, "month": 60}


def history_periods(
    kind: PeriodKind, start: date | None, end: date | None, today: date
) -> list[Period]:
    """Whole periods of `kind` from the one containing `start` to the last that ends by `end`
    (default: the last complete one before `today`), at most MAX_PERIODS of them."""
    last = last_complete(today if end is None else end, kind)
    out = [last]
    limit = MAX_PERIODS.get(kind, 40)
    stop = containing(start, kind).start if start is not None else None
    while len(out) < limit and (stop is None or out[-1].start > stop):
        out.append(out[-1].previous())
    return list(reversed(out))


def scored_periods(
    scorer: Scorer,
    kind: PeriodKind,
    start: date | None = None,
    end: date | None = None,
    today: date | None = None,
) -> list[Period]:
    """The periods `run` scores with the same arguments: a caller that also wants scorecards
    of other periods can compute them all in one Scorer pass before calling `run`."""
    if start is None:
        start = first_record_day(scorer)
    return history_periods(kind, start, end, today or date.today())


def run(
    scorer: Scorer,
    kind: PeriodKind,
    start: date | None = None,
    end: date | None = None,
    today: date | None = None,
) -> Ordering:
    """The ordering analysis of the scorer's workspace over its history (docs/ordering.md).

    Without `start` the history begins with the first dated record. The default framework's
    stages come from a second Scorer pass, only when the workspace's framework differs.
    """
    periods = scored_periods(scorer, kind, start, end, today)
    default_fw = load()
    default = None
    if default_fw != scorer.framework:
        default = Scorer(scorer.store, default_fw, scorer.profile, scorer.workspace)
    history = build(scorer, default, periods)
    return analyse(history, kind, method_changes=method_changes(scorer, periods))
