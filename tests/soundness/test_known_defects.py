"""Defects these suites found and that are not fixed yet, each pinned by a strict xfail.

A strict xfail fails the run the day the defect is fixed (XPASS), so its marker is then
removed and the test becomes an ordinary guard. Each names where the defect is.
"""

from __future__ import annotations

import tomllib
from datetime import date
from importlib import resources
from typing import Any

import pytest

from survey_responses import write_responses
from trustmeter.metrics.catalogue import all_metrics
from trustmeter.metrics.model import Context
from trustmeter.periods import Period
from trustmeter.store import Store

PARAMS: dict[str, Any] = tomllib.loads(
    (resources.files("trustmeter.framework") / "default.toml").read_text("utf-8")
)["params"]
Q1 = Period(date(2024, 1, 1), date(2024, 4, 1), "quarter")


@pytest.mark.xfail(
    strict=True,
    raises=KeyError,
    reason="metrics/relationships.py trust_components: components() reads "
    "p['credibility_count'] from the whole-campaign parts, which are empty when no respondent "
    "answered a trust item; a short pulse survey (satisfaction and NPS only) crashes the "
    "scorecard instead of giving trust_components no value",
)
def test_a_campaign_without_trust_items_gives_trust_components_no_value(store: Store) -> None:
    write_responses(
        store,
        "pulse",
        [(f"r{g}{i}", g, {"overall_satisfaction": 8, "nps": 9}) for g in "ABC" for i in range(5)],
    )
    m = all_metrics()["trust_components"](Context(store, Q1, dict(PARAMS)))
    assert m.value is None
    # the campaign's other figures are unaffected
    nps = all_metrics()["relationship_nps"](Context(store, Q1, dict(PARAMS)))
    assert nps.n == 3
