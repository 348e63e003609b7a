"""Defects these suites found and that are not fixed yet, each pinned by a strict xfail.

A strict xfail fails the run the day the defect is fixed (XPASS), so its marker is then
removed and the test becomes an ordinary guard. Each names where the defect is.
"""

from __future__ import annotations

import tomllib
from datetime import date
from importlib import resources
from typing import Any

from survey_responses import write_responses
from trustmeter.metrics.catalogue import all_metrics
from trustmeter.metrics.model import Context
from trustmeter.periods import Period
from trustmeter.store import Store

PARAMS: dict[str, Any] = tomllib.loads(
    (resources.files("trustmeter.framework") / "default.toml").read_text("utf-8")
)["params"]
Q1 = Period(date(2024, 1, 1), date(2024, 4, 1), "quarter")


# Found by these suites, fixed by the anonymity rule (issue 12): a campaign where fewer than
# min_group respondents answered the trust items gives trust_components no figure.
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
