"""The web's Scorecards read the framework's typed settings and score under the framework
they loaded at start (built by usecases.scoring.scorer_for, like every other shell)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from trustmeter.store import connect
from trustmeter.web.scorecards import Scorecards
from trustmeter.workspace import Workspace


def test_a_monthly_framework_gives_the_pages_months(db_url: str, tmp_path: Path) -> None:
    ws = Workspace(tmp_path, "acme-it", "mid", "UTC", db_url, None, {"params": {"period": "month"}})
    cards = Scorecards(ws, lambda: connect(db_url))
    try:
        last = cards.period(dt.date(2026, 5, 10))
        assert (last.start, last.end, last.kind) == (
            dt.date(2026, 4, 1),
            dt.date(2026, 5, 1),
            "month",
        )
        assert [p.start.month for p in cards.recent_periods(3)][-1] == cards.period(
            None
        ).start.month
        card = cards.scorecard(last)
        assert card.period == last
    finally:
        cards.close()


def test_the_default_framework_gives_quarters(db_url: str, tmp_path: Path) -> None:
    ws = Workspace(tmp_path, "acme-it", "mid", "UTC", db_url, None, {})
    cards = Scorecards(ws, lambda: connect(db_url))
    try:
        assert cards.period(dt.date(2026, 5, 10)).start == dt.date(2026, 1, 1)
        assert cards.period_kind == "quarter"
    finally:
        cards.close()
