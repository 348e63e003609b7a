"""Setup shared by the metric tests (tests/metrics/test_<area>.py).

Every factory here is bound to the `store` fixture (tests/conftest.py), so each test that uses
one runs on DuckDB and on PostgreSQL. The default period is 2024-Q1, 2024-01-01 00:00 up to
2024-04-01 00:00 (naive UTC), the quarter every metric test file computes by default.

- `params`: the default framework's `[params]`, a fresh copy per test.
- `ctx(period=Q1, **overrides)`: a `Context` for one period, parameters overridden by name.
- `batch(periods, **overrides)`: a `Batch` of several periods (what the Scorer computes).
- `measure(metric_id, period=Q1, **overrides)`: one registered metric's figure for a period.
- `respond(campaign, answers, ...)`: write survey responses, each answer validated as an
  importer would, in one transaction (tests/survey_responses.py).

Figures (value, n) are asserted in the test files; evidence sentences at most once per metric.
"""

from __future__ import annotations

import copy
import json
import os
import tomllib
from collections.abc import Iterable
from datetime import date
from functools import partial
from importlib import resources
from pathlib import Path
from typing import Any, Protocol

import pytest

import trustmeter.metrics.catalogue  # noqa: F401  (importing registers every metric)
from survey_responses import Answers, write_responses
from trustmeter import surveys as sv
from trustmeter.metrics.model import Batch, Context, Measurement
from trustmeter.metrics.registry import REGISTRY
from trustmeter.periods import Period
from trustmeter.store import Store

PARAMS: dict[str, Any] = tomllib.loads(
    (resources.files("trustmeter.framework") / "default.toml").read_text("utf-8")
)["params"]
Q1 = Period(date(2024, 1, 1), date(2024, 4, 1), "quarter")


class MakeContext(Protocol):
    def __call__(self, period: Period = Q1, **overrides: Any) -> Context: ...


class MakeBatch(Protocol):
    def __call__(self, periods: Iterable[Period], **overrides: Any) -> Batch: ...


class Measure(Protocol):
    def __call__(self, metric_id: str, period: Period = Q1, **overrides: Any) -> Measurement: ...


class Respond(Protocol):
    def __call__(
        self,
        campaign: str,
        answers: Answers,
        submitted: str | None = ...,
        survey: sv.SurveyKind = ...,
        source: str = ...,
        raw: bool = ...,
    ) -> None: ...


@pytest.fixture
def params() -> dict[str, Any]:
    """The default framework's parameters; a copy, so a test may change it freely."""
    return copy.deepcopy(PARAMS)


@pytest.fixture
def ctx(store: Store, params: dict[str, Any]) -> MakeContext:
    def make(period: Period = Q1, **overrides: Any) -> Context:
        return Context(store, period, {**params, **overrides})

    return make


@pytest.fixture
def batch(store: Store, params: dict[str, Any]) -> MakeBatch:
    def make(periods: Iterable[Period], **overrides: Any) -> Batch:
        return Batch(store, tuple(periods), {**params, **overrides})

    return make


@pytest.fixture
def measure(ctx: MakeContext) -> Measure:
    def run(metric_id: str, period: Period = Q1, **overrides: Any) -> Measurement:
        return REGISTRY[metric_id](ctx(period, **overrides))

    return run


@pytest.fixture
def respond(store: Store) -> Respond:
    """A writer of survey responses on this test's store (tests/survey_responses.py)."""
    return partial(write_responses, store)


# -- evidence wording ----------------------------------------------------------------------------
# The sentences a metric's evidence shows are presentation: one test per metric compares them
# with tests/golden/evidence.json; every other test asserts values, n and contributors' names.
EVIDENCE = Path(__file__).resolve().parents[1] / "golden" / "evidence.json"
_WORDING_TESTS: dict[str, str] = {}


class Wording(Protocol):
    def __call__(self, metric_id: str, m: Measurement) -> None: ...


@pytest.fixture
def wording(request: pytest.FixtureRequest) -> Wording:
    """Compare a measurement's evidence sentences with the golden file (TRUSTMETER_UPDATE_GOLDEN=1
    rewrites that metric's entry); a changed sentence is reviewed in the file's diff."""
    test = request.node.originalname

    def check(metric_id: str, m: Measurement) -> None:
        assert metric_id in REGISTRY, metric_id
        owner = _WORDING_TESTS.setdefault(metric_id, test)
        assert owner == test, f"{metric_id}'s wording is already checked by {owner}: one test only"
        got = [c.detail for c in m.evidence]
        golden = json.loads(EVIDENCE.read_text("utf-8")) if EVIDENCE.is_file() else {}
        if os.environ.get("TRUSTMETER_UPDATE_GOLDEN") == "1":
            golden[metric_id] = got
            text = json.dumps(dict(sorted(golden.items())), indent=2, ensure_ascii=False)
            EVIDENCE.write_text(text + "\n", "utf-8")
            return
        assert metric_id in golden, f"{EVIDENCE} has no {metric_id} (TRUSTMETER_UPDATE_GOLDEN=1)"
        assert got == golden[metric_id], f"{metric_id}'s evidence wording changed ({EVIDENCE})"

    return check
