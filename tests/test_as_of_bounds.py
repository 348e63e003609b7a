"""`--as-of` and `?as_of=` at the ends of the calendar (issue 12): a clean error naming the
range, never an OverflowError from the date arithmetic of periods."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

from trustmeter.cli import cli
from trustmeter.periods import Period, PeriodError, check_as_of, last_complete


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31", "1899-12-31", "3000-01-01"])
def test_score_refuses_an_as_of_out_of_range(tmp_path: Path, day: str) -> None:
    runner = CliRunner()
    ws = str(tmp_path / "ws")
    assert runner.invoke(cli, ["init", ws], obj={}).exit_code == 0
    for command in ("score", "trend"):
        r = runner.invoke(cli, ["-w", ws, command, "--as-of", day], obj={})
        assert r.exit_code == 1, (command, r.output, r.exception)
        said = " ".join(r.output.split())  # the console wraps long lines
        assert f"as_of {day} is out of range" in said and "1900-01-01 to 2999-12-31" in said
        assert not isinstance(r.exception, OverflowError | ValueError)


def test_score_accepts_the_bounds(tmp_path: Path) -> None:
    runner = CliRunner()
    ws = str(tmp_path / "ws")
    assert runner.invoke(cli, ["init", ws], obj={}).exit_code == 0
    for day in ("1900-01-01", "2999-12-31"):
        r = runner.invoke(cli, ["-w", ws, "score", "--as-of", day, "--json"], obj={})
        assert r.exit_code == 0, r.output


def test_periods_at_the_calendar_ends_are_refused_cleanly() -> None:
    assert check_as_of(date(1900, 1, 1)) == date(1900, 1, 1)
    assert last_complete(date(2999, 12, 31)).label == "2999-Q3"
    with pytest.raises(PeriodError, match="out of range"):
        Period(date(1, 1, 1), date(2, 1, 1))
    with pytest.raises(PeriodError, match="out of range"):
        Period(date(9999, 1, 1), date(9999, 12, 31))
    with pytest.raises(PeriodError, match="periods lie between"):
        Period(date(1800, 1, 1), date(1800, 4, 1), "quarter").previous()
