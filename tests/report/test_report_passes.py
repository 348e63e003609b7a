"""The full report scores its trend and the ordering's history in one Scorer pass.

Every metric is one grouped query for all the periods of a pass, so a second pass (the
ordering asking for the quarters the trend did not cover) runs every query again: on the
demo that was about a second of a five-second `trustmeter report`.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from trustmeter.cli import cli
from trustmeter.periods import last_complete
from trustmeter.scorecard.scorer import Scorer
from trustmeter.usecases.reporting import build_report
from trustmeter.usecases.scoring import open_scorer
from trustmeter.workspace import find


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("passes") / "northwind"
    r = CliRunner().invoke(cli, ["demo", str(root)], catch_exceptions=False)
    assert r.exit_code == 0, r.output
    return root


def test_trend_and_ordering_share_one_pass(demo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    passes: list[int] = []
    compute = Scorer._compute

    def counted(self: Scorer, metrics: Any, batch: Any, todo: list[Any]) -> None:
        passes.append(len(todo))
        compute(self, metrics, batch, todo)

    monkeypatch.setattr(Scorer, "_compute", counted)
    ws = find(str(demo))
    day = date(2026, 10, 1)
    with open_scorer(ws) as scorer:
        report = build_report(ws, scorer, last_complete(day, "quarter"), 8, day)
    # One pass, and it covered more periods than the eight the trend shows: the ordering's
    # history (the demo's whole span) and the gates' look-back came with it.
    assert len(passes) == 1, passes
    assert passes[0] > 8
    assert len(report.cards) == 8
    assert report.ordering.as_dict()["pairs"]


def test_the_report_asks_where_the_history_begins_once(
    demo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from trustmeter import ordering
    from trustmeter.ordering import history
    from trustmeter.usecases import reporting

    asked: list[Scorer] = []
    first = history.first_record_day

    def counted(scorer: Scorer) -> Any:
        asked.append(scorer)
        return first(scorer)

    for module in (history, ordering, reporting):
        monkeypatch.setattr(module, "first_record_day", counted)
    ws = find(str(demo))
    day = date(2026, 10, 1)
    with open_scorer(ws) as scorer:
        report = build_report(ws, scorer, last_complete(day, "quarter"), 8, day)
    assert len(asked) == 1  # not again for the ordering's periods and again for its run
    assert report.ordering.as_dict()["pairs"]


def test_a_second_report_reads_its_backtests_from_the_cache(
    demo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sys

    from trustmeter.forecast.backtest_cache import FOLDER

    ws = find(str(demo))
    day = date(2026, 10, 1)
    with open_scorer(ws) as scorer:
        first = build_report(ws, scorer, last_complete(day, "quarter"), 8, day)
    kept = list((demo / FOLDER).glob("*.json"))
    assert len(kept) >= 2  # the whole department and its teams

    def no_backtest(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("backtested again")

    # Both the report's backtests and the live forecasts' calibration replays run it.
    monkeypatch.setattr(sys.modules["trustmeter.forecast.backtest"], "backtest", no_backtest)
    with open_scorer(ws) as scorer:
        second = build_report(ws, scorer, last_complete(day, "quarter"), 8, day)
    assert "Backtest" in first.html or "backtest" in first.html
    assert second.html == first.html
