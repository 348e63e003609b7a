"""The forecast ledger: every recorded forecast, and whether it came true once that is known.

A "when" or "how many" forecast is stored as one row per confidence level; a likelihood as
one row with its probability. Rows are resolved from the work items themselves: a forecast
comes true when the subject's completions since its start reach the stated figure in time.
The `forecast_calibration` metric reads the same table (docs/metrics/delivery.md).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import ibis
import numpy as np

from trustmeter.forecast.history import Subject, daily_completions
from trustmeter.forecast.montecarlo import LEVELS, Calendar, HowMany, Likelihood, When
from trustmeter.store import Store
from trustmeter.store.ledger import insert_forecast_rows, settle_forecast_rows


def record(
    store: Store,
    forecast: When | HowMany | Likelihood,
    subject: Subject,
    calendar: Calendar,
    calibrated: bool = False,
    now: datetime | None = None,
) -> str:
    """Save a forecast in the ledger; returns its id. `made_at` is naive UTC, as every time."""
    now = now or datetime.now(UTC).replace(tzinfo=None)
    fid = uuid.uuid4().hex[:12]
    s = forecast.sample
    common: dict[str, Any] = {
        "forecast_id": fid,
        "made_on": now.date(),
        "made_at": now.replace(microsecond=0),
        "team": subject.team,
        "project": subject.project,
        "item_kinds": ",".join(subject.kinds) or None,
        "history_from": s.history_from,
        "history_to": s.history_to,
        "start_on": forecast.start,
        "trials": forecast.trials,
        "seed": forecast.seed,
        "calendar": calendar.describe() or None,
        "calibrated": calibrated,
    }
    rows: list[dict[str, Any]] = []
    if isinstance(forecast, When):
        for lvl, day in forecast.percentiles.items():
            rows.append(
                {
                    "id": f"{fid}-{lvl}",
                    "kind": "when",
                    "items": forecast.items,
                    "level": float(lvl),
                    "predicted_date": day,
                }
            )
    elif isinstance(forecast, HowMany):
        for lvl, n in forecast.percentiles.items():
            rows.append(
                {
                    "id": f"{fid}-{lvl}",
                    "kind": "how_many",
                    "by_date": forecast.by,
                    "level": float(lvl),
                    "predicted_items": n,
                }
            )
    else:
        rows.append(
            {
                "id": f"{fid}-p",
                "kind": "likelihood",
                "items": forecast.items,
                "by_date": forecast.by,
                "probability": forecast.stated,
            }
        )
    insert_forecast_rows(store, [{**common, **r} for r in rows])
    return fid


# -- resolving ----------------------------------------------------------------------------------
@dataclass
class _Outcome:
    actual_date: date | None
    actual_items: int | None
    outcome: bool
    resolved_on: date


def _pending(store: Store) -> list[dict[str, Any]]:
    t = store.table("forecast")
    df = t.filter(t.outcome.isnull()).order_by([t.forecast_id, t.id]).execute()
    return [{k: (None if _missing(v) else v) for k, v in r.items()} for r in df.to_dict("records")]


def _missing(v: Any) -> bool:
    return v is None or (isinstance(v, float) and v != v) or str(v) in ("NaT", "<NA>")


def _day(v: Any) -> date:
    """A date from what an engine returns for a DATE column (date, or a pandas Timestamp)."""
    d: date = v.date() if isinstance(v, datetime) else v
    return d


def _resolve_row(row: dict[str, Any], done: np.ndarray[Any, Any], start: date) -> _Outcome | None:
    """The outcome of one row, given cumulative completions per day from `start`, or None."""
    known_through = start + timedelta(days=len(done) - 1)

    def reached(n: int) -> date | None:
        hit = np.flatnonzero(done >= n)
        return start + timedelta(days=int(hit[0])) if hit.size else None

    kind = row["kind"]
    if kind == "when":
        predicted = _day(row["predicted_date"])
        at = reached(int(row["items"]))
        if at is not None and at <= predicted:
            return _Outcome(at, int(row["items"]), True, at)
        if at is not None or predicted <= known_through:
            # Missed: known at the end of the predicted day.
            return _Outcome(at, None, False, predicted)
        return None
    by = _day(row["by_date"])
    if kind == "how_many":
        need = int(row["predicted_items"])
        at = reached(need)
        if at is not None and at <= by:
            return _Outcome(None, _upto(done, start, by), True, at)
        if by <= known_through:
            return _Outcome(None, _upto(done, start, by), False, by)
        return None
    # likelihood: did the items get done by the date?
    at = reached(int(row["items"]))
    if at is not None and at <= by:
        return _Outcome(at, _upto(done, start, by), True, at)
    if by <= known_through:
        return _Outcome(at, _upto(done, start, by), False, by)
    return None


def _upto(done: np.ndarray[Any, Any], start: date, day: date) -> int | None:
    i = (day - start).days
    return int(done[min(i, len(done) - 1)]) if len(done) and i >= 0 else None


def resolve(store: Store, known_through: date, timezone: str = "UTC") -> int:
    """Settle every open forecast whose outcome the records through `known_through` show.

    `known_through` is the last day whose completions are all in the store (by default
    yesterday). Returns how many rows were settled.
    """
    pending = _pending(store)
    groups: dict[str, list[dict[str, Any]]] = {}
    for r in pending:
        groups.setdefault(r["forecast_id"], []).append(r)
    updates: list[tuple[str, _Outcome]] = []
    for rows in groups.values():
        first = rows[0]
        start = _day(first["start_on"])
        if known_through < start:
            continue
        subject = Subject(
            first["team"],
            first["project"],
            tuple(first["item_kinds"].split(",")) if first["item_kinds"] else (),
        )
        history = daily_completions(store, start, known_through, subject, timezone)
        done = np.cumsum(history.counts)
        for r in rows:
            out = _resolve_row(r, done, start)
            if out is not None:
                updates.append((r["id"], out))
    settle_forecast_rows(
        store,
        [(rid, o.actual_date, o.actual_items, o.outcome, o.resolved_on) for rid, o in updates],
    )
    return len(updates)


# -- scoring ------------------------------------------------------------------------------------
@dataclass
class Calibration:
    levels: dict[int, tuple[int, int]]  # level -> (resolved, came true), when and how-many
    by_kind: dict[str, dict[int, tuple[int, int]]]
    brier: float | None  # mean squared error of likelihood forecasts (0 is perfect)
    likelihoods: int  # resolved likelihood forecasts
    pending: int  # rows whose outcome is not known yet
    forecasts: int  # recorded forecasts (not rows)

    def share(self, level: int) -> float | None:
        n, hits = self.levels.get(level, (0, 0))
        return hits / n if n else None

    def as_dict(self) -> dict[str, Any]:
        return {
            "forecasts": self.forecasts,
            "pending": self.pending,
            "coverage": {str(lvl): _r(self.share(lvl)) for lvl in LEVELS},
            "levels": {
                str(lvl): {"resolved": n, "came_true": k, "share": _r(k / n if n else None)}
                for lvl, (n, k) in self.levels.items()
            },
            "by_kind": {
                kind: {str(lvl): {"resolved": n, "came_true": k} for lvl, (n, k) in lv.items()}
                for kind, lv in self.by_kind.items()
            },
            "brier": {"n": self.likelihoods, "score": _r(self.brier)},
        }


def _r(x: float | None) -> float | None:
    return None if x is None else round(x, 4)


def calibration(store: Store, as_of: date | None = None) -> Calibration:
    """How often recorded forecasts came true at each level, and the Brier score.

    With `as_of`, only what was known before that day: forecasts made before it, counted as
    settled only when they were resolved before it (the report for a past date uses this).
    """
    t = store.table("forecast")
    if as_of is not None:
        t = t.filter(t.made_on < as_of)
        t = t.mutate(outcome=ibis.ifelse(t.resolved_on < as_of, t.outcome, ibis.null("boolean")))
    df = t.execute()
    levels = {lvl: (0, 0) for lvl in LEVELS}
    by_kind: dict[str, dict[int, tuple[int, int]]] = {}
    squared: list[float] = []
    pending = 0
    for r in df.to_dict("records"):
        if _missing(r["outcome"]):
            pending += 1
            continue
        hit = bool(r["outcome"])
        if r["kind"] == "likelihood":
            squared.append((float(r["probability"]) - float(hit)) ** 2)
            continue
        lvl = round(float(r["level"]) * (100 if float(r["level"]) <= 1 else 1))
        n, k = levels.get(lvl, (0, 0))
        levels[lvl] = (n + 1, k + hit)
        kn, kk = by_kind.setdefault(r["kind"], {}).get(lvl, (0, 0))
        by_kind[r["kind"]][lvl] = (kn + 1, kk + hit)
    return Calibration(
        levels,
        by_kind,
        float(np.mean(squared)) if squared else None,
        len(squared),
        pending,
        int(df["forecast_id"].nunique()) if len(df) else 0,
    )
