"""Scorecards for the pages, computed by the core and kept while the data stays the same.

A scorecard takes seconds to compute, so each one is cached by (period, data version): the
version changes with every import and every web survey answer (store.version.data_version),
and a new version starts a fresh `Scorer`, whose own caches (which metrics have data, area
scores per period) then serve the periods a trend shares with the stage gates. A connection
lost with its server (a PostgreSQL restart) is replaced and the computation tried once more.
On an embedded (DuckDB) file each computation holds the pool's lease (`lease`), and `release`
closes the connection when the pool lets go of the file; what was computed stays cached.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections import OrderedDict
from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import date, timedelta
from typing import Any

from trustmeter.framework import Framework
from trustmeter.framework.model import CalendarKind
from trustmeter.metrics.catalogue import all_metrics
from trustmeter.metrics.slices import Slice, SliceKind
from trustmeter.periods import Period, last_complete, series
from trustmeter.scorecard.compare import Comparison
from trustmeter.scorecard.explain import Explanation, explain_metric
from trustmeter.scorecard.model import MetricEntry, Scorecard
from trustmeter.scorecard.scorer import Scorer
from trustmeter.store import Store
from trustmeter.store.version import data_version
from trustmeter.usecases.comparing import compare_periods
from trustmeter.usecases.scoring import scorer_for
from trustmeter.usecases.slicing import SliceName, slice_names
from trustmeter.web.pool import DatabaseUnavailable
from trustmeter.workspace import Workspace

log = logging.getLogger("trustmeter.web")

_MAX_ENTRIES = 256


class Scorecards:
    def __init__(
        self,
        workspace: Workspace,
        open_store: Callable[[], Store],
        lease: Callable[[], AbstractContextManager[None]] = contextlib.nullcontext,
    ) -> None:
        self.workspace = workspace
        self._lease = lease
        self.framework: Framework = workspace.framework()
        self._open = open_store
        self._store: Store | None = None
        self._scorer: Scorer | None = None
        # One Scorer per slice scored since the data last changed (metrics/slices.py).
        self._slicers: dict[Slice, Scorer] = {}
        self._version = ""
        self._cache: OrderedDict[tuple[Any, ...], Any] = OrderedDict()
        # One computation at a time: the Scorer and its connection are not shared by threads.
        self._lock = threading.RLock()

    @property
    def period_kind(self) -> CalendarKind:
        return self.framework.settings.period

    def period(self, as_of: date | None) -> Period:
        """The last complete period before `as_of` (today when not given)."""
        return last_complete(as_of or date.today(), self.period_kind)

    def recent_periods(self, count: int = 6) -> list[Period]:
        """The last `count` complete periods, for choosing one (nothing is computed)."""
        return series(self.period(None), count)

    def _current(self) -> tuple[Scorer, str]:
        if self._store is None:
            self._store = self._open()
        version = data_version(self._store)
        if self._scorer is None or version != self._version:
            self._scorer = scorer_for(self.workspace, self._store, framework=self.framework)
            self._slicers = {}
            if version != self._version:
                self._cache.clear()
            self._version = version
        return self._scorer, version

    def _cached(self, key: tuple[Any, ...], make: Callable[[Scorer], Any]) -> Any:
        # The lease first, then the lock: the pool lets go (and `release` takes the lock)
        # only when nobody is inside the lease.
        with self._lease(), self._lock:
            try:
                return self._lookup(key, make)
            except Exception:
                if self._store is None or not self._store.broken():
                    raise
                self._reconnect()
            # The database server went away (a restart): once more on a new connection. What
            # was cached stays valid while the data version is the same.
            try:
                return self._lookup(key, make)
            except Exception as exc:
                if self._store is None or not self._store.broken():
                    raise
                self._reconnect()
                raise DatabaseUnavailable(f"lost the connection to the database: {exc}") from exc

    def _lookup(self, key: tuple[Any, ...], make: Callable[[Scorer], Any]) -> Any:
        scorer, version = self._current()
        full = (version, *key)
        if full in self._cache:
            self._cache.move_to_end(full)
            return self._cache[full]
        value = make(scorer)
        self._cache[full] = value
        while len(self._cache) > _MAX_ENTRIES:
            self._cache.popitem(last=False)
        return value

    def _reconnect(self) -> None:
        """Drop the lost connection and its Scorer; the next computation opens a new one."""
        log.warning("lost the scorecards' connection to the database; reconnecting")
        if self._store is not None:
            self._store.close()
        self._store = None
        self._scorer = None
        self._slicers = {}

    def scorecard(self, period: Period) -> Scorecard:
        card: Scorecard = self._cached(("card", period), lambda s: s.scorecard(period))
        return card

    def trend(self, last: Period, count: int) -> list[Scorecard]:
        periods = series(last, count)
        # Every period's figures in one pass (a scorecard at a time would ask each metric
        # once per period); the scorecards are then assembled and cached one by one.
        self._cached(("prepared", last, count), lambda s: s.prepare(periods))
        return [self.scorecard(p) for p in periods]

    def compare(self, a: Period, b: Period) -> Comparison:
        """Period `a` against `b` by the compare use case (`trustmeter compare`): the same
        figures, changes and noise verdicts; the history it reads shares this Scorer's cache."""
        out: Comparison = self._cached(("compare", a, b), lambda s: compare_periods(s, a, b))
        return out

    def slice_names(self) -> dict[SliceKind, list[SliceName]]:
        """The business units, services and teams the records name."""
        out: dict[SliceKind, list[SliceName]] = self._cached(
            ("slice_names",), lambda s: slice_names(s.store)
        )
        return out

    def _slicer(self, slice: Slice) -> Scorer:
        """The slice's Scorer on the same connection, kept until the data changes."""
        if slice not in self._slicers:
            assert self._store is not None  # _current opened it
            self._slicers[slice] = scorer_for(
                self.workspace, self._store, slice=slice, framework=self.framework
            )
        return self._slicers[slice]

    def sliced(self, slice: Slice, period: Period) -> Scorecard:
        """One business unit's, service's or team's scorecard (`score --unit|--service|--team`)."""
        card: Scorecard = self._cached(
            ("slice", slice, period), lambda s: self._slicer(slice).scorecard(period)
        )
        return card

    def sliced_trend(self, slice: Slice, last: Period, count: int) -> list[Scorecard]:
        periods = series(last, count)
        self._cached(
            ("slice_prepared", slice, last, count), lambda s: self._slicer(slice).prepare(periods)
        )
        return [self.sliced(slice, p) for p in periods]

    def explain(self, metric_id: str, period: Period, limit: int) -> Explanation:
        out: Explanation = self._cached(
            ("explain", metric_id, period, limit),
            lambda s: explain_metric(s, metric_id, period, limit),
        )
        return out

    def survey_metrics(self, kind: str, closed_by: date) -> list[MetricEntry]:
        """The survey metrics of one survey kind, as they read the latest campaign closed
        before `closed_by`: the results page of a campaign asks for the day after its close."""
        period = Period(closed_by - timedelta(days=91), closed_by, "custom")
        area = "relationships" if kind == "stakeholder" else "talent"
        ids = [
            m.id
            for m in all_metrics().values()
            if "survey_answer" in m.needs and m.area == area and m.id in self.framework.metrics
        ]

        def measure(s: Scorer) -> list[MetricEntry]:
            reg = all_metrics()
            return [s.measure(reg[i], period) for i in ids]

        out: list[MetricEntry] = self._cached(("survey", kind, closed_by), measure)
        return out

    def warm(self, count: int) -> None:
        """Compute the default period's scorecard and trend, so the first visitor waits less."""
        self.trend(self.period(None), count)

    def release(self) -> None:
        """Close the connection, and the Scorer bound to it; the cache stays (by version)."""
        with self._lock:
            if self._store is not None:
                self._store.close()
            self._store = None
            self._scorer = None

    def close(self) -> None:
        with self._lock:
            if self._store is not None:
                self._store.close()
                self._store = None
