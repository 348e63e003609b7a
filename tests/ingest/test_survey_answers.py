"""A survey export whose answer is `inf` or `nan`: a clear import error, nothing stored."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from ingest_helpers import check_error, counts, run

from trustmeter.errors import InputError
from trustmeter.store import Store

Write = Callable[[str, str | bytes], Path]


@pytest.mark.parametrize("value", ["inf", "-Infinity", "nan", "1e999"])
def test_a_non_finite_answer_is_a_clear_error(store: Store, write: Write, value: str) -> None:
    before = counts(store)
    p = write(
        "team.csv", f"id,campaign,kind,enps,westrum_1\nR1,T1,team,9,6\nR2,T1,team,{value},5\n"
    )
    with pytest.raises(InputError) as info:
        run(store, "survey-responses", p)
    check_error(
        info.value, p, line=3, column="enps", value=value, expected="a whole number from 0 to 10"
    )
    assert counts(store) == before  # atomic: not even the good row
