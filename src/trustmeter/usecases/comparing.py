"""`compare`: two periods side by side, for any shell (`trustmeter compare` and the
dashboard's /compare page).

The Scorer computes every metric for both periods and for the history the noise rule reads
in one pass (`prepare`), then assembles each scorecard; scorecard/compare.py subtracts and
judges.
"""

from __future__ import annotations

import re
from datetime import date

from trustmeter.periods import Period, PeriodKind, containing, series
from trustmeter.scorecard.compare import Comparison, compare
from trustmeter.scorecard.scorer import Scorer

# How many periods, ending with the earlier of the two, the noise rule reads by default.
HISTORY = 8

_QUARTER = re.compile(r"^(\d{4})-?Q([1-4])$", re.IGNORECASE)
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


def period_named(text: str, kind: PeriodKind) -> Period:
    """`2026-Q2` (a quarter), `2026-05` (a month) or a date: the `kind` period containing it.

    Raises ValueError with what was expected.
    """
    t = text.strip()
    if m := _QUARTER.match(t):
        return containing(date(int(m[1]), 3 * int(m[2]) - 2, 1), "quarter")
    if m := _MONTH.match(t):
        month = int(m[2])
        if 1 <= month <= 12:
            return containing(date(int(m[1]), month, 1), "month")
    else:
        try:
            return containing(date.fromisoformat(t), kind)
        except ValueError:
            pass
    raise ValueError(
        f"{text!r}: expected a quarter (2026-Q2), a month (2026-05) or a date (2026-05-14)"
    )


def compare_periods(scorer: Scorer, a: Period, b: Period, history: int = HISTORY) -> Comparison:
    """Period `a` against period `b`, with the `history` periods that end with the earlier
    one for the noise rule. Both must be of one kind (two quarters or two months)."""
    if a.kind != b.kind:
        raise ValueError(f"compare two quarters or two months, not {a.label} and {b.label}")
    if a == b:
        raise ValueError(f"{a.label} twice: give two different periods")
    earlier = a if a.start < b.start else b
    past = series(earlier, history)
    wanted = list(dict.fromkeys([*past, a, b]))
    scorer.prepare(wanted)
    cards = {p: scorer.scorecard(p) for p in wanted}
    return compare(cards[a], cards[b], [cards[p] for p in past])
