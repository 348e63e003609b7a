"""The framework file: areas, metrics, weights, targets, floors, gates, actions and profiles.

The packaged `default.toml` holds FRAMEWORK.md's defaults. A workspace overrides any part of
it; the merged result is validated here, and every problem names the file and the key.
"""

from __future__ import annotations

import copy
import tomllib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, Literal

from trustmeter.errors import ConfigError

DEFAULT_FILE = "default.toml"


@dataclass(frozen=True)
class Area:
    id: str
    name: str
    weight: float
    measure_with: str


@dataclass(frozen=True)
class MetricSettings:
    id: str
    area: str
    target: float | None
    floor: float | None
    weight: float
    min_sample: int | None
    actions: tuple[str, ...]
    enabled: bool = True
    name: str | None = None


@dataclass(frozen=True)
class Condition:
    kind: str  # "area" or "metric"
    target: str  # area id, "*" for every area, or metric id
    min: float
    periods: int = 1
    label: str | None = None

    def describe(self) -> str:
        if self.label:
            return self.label
        what = "every area" if self.target == "*" else self.target
        unit = " %" if self.kind == "metric" else ""
        text = f"{what} ≥ {self.min:g}{unit}"
        if self.periods == 2:
            text += " in this period and the one before"
        elif self.periods > 2:
            text += f" in each of the last {self.periods} periods"
        return text


@dataclass(frozen=True)
class Stage:
    level: int
    name: str
    ceiling: float
    gate: tuple[Condition, ...]


@dataclass(frozen=True)
class Profile:
    id: str
    max_staff: int | None
    major_incidents: tuple[float, float]
    optional_metrics: tuple[str, ...]


CalendarKind = Literal["month", "quarter"]


@dataclass(frozen=True)
class Settings:
    """The framework-wide [params] the scorer and the shells read, typed.

    Their defaults live in default.toml only: a workspace's file is merged over it before
    validation, so every key is present here and no caller restates a default.
    """

    period: CalendarKind
    min_sample_events: int
    min_sample_groups: int
    min_coverage: float
    min_group: int  # survey anonymity: never below 3 (validated)
    perception_threshold: float

    @classmethod
    def of(cls, params: dict[str, Any]) -> Settings:
        period: CalendarKind = "month" if params["period"] == "month" else "quarter"
        return cls(
            period,
            int(params["min_sample_events"]),
            int(params["min_sample_groups"]),
            float(params["min_coverage"]),
            int(params["min_group"]),
            float(params["perception_threshold"]),
        )


@dataclass
class Framework:
    params: dict[str, Any]
    areas: dict[str, Area]
    metrics: dict[str, MetricSettings]
    profiles: dict[str, Profile]
    stages: list[Stage]
    predictability: tuple[str, ...]
    raw: dict[str, Any] = field(default_factory=dict, repr=False)

    @property
    def settings(self) -> Settings:
        return Settings.of(self.params)

    def targets(self, metric_id: str, profile: str) -> tuple[float, float]:
        """(target, floor) for a metric; major_incidents takes them from the profile."""
        m = self.metrics[metric_id]
        if m.target is not None and m.floor is not None:
            return m.target, m.floor
        if metric_id == "major_incidents":
            return self.profiles[profile].major_incidents
        raise ConfigError(f"metric {metric_id} has no target and floor")

    def min_sample(self, metric_id: str, sample: str) -> int:
        m = self.metrics[metric_id]
        if m.min_sample is not None:
            return m.min_sample
        key = "min_sample_groups" if sample == "groups" else "min_sample_events"
        return int(self.params[key])


def default_text() -> str:
    return resources.files("trustmeter.framework").joinpath(DEFAULT_FILE).read_text("utf-8")


def deep_merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    """Tables merge key by key; any other value (arrays included) replaces the default."""
    out = copy.deepcopy(base)
    for k, v in override.items():
        if isinstance(v, dict) and isinstance(out.get(k), dict):
            out[k] = deep_merge(out[k], v)
        else:
            out[k] = copy.deepcopy(v)
    return out


def load(overrides: list[tuple[str, dict[str, Any]]] | None = None) -> Framework:
    """The default framework with each (source name, override table) applied in order."""
    merged = tomllib.loads(default_text())
    origin = "the default framework"
    for name, table in overrides or []:
        merged = deep_merge(merged, table)
        origin = name
    return validate(merged, origin)


def load_file(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except FileNotFoundError as exc:
        raise ConfigError(f"{path}: framework file not found") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from exc


_TOP = {"version", "params", "areas", "metrics", "profiles", "stages", "predictability"}
_AREA_KEYS = {"name", "weight", "measure_with"}
_METRIC_KEYS = {"target", "floor", "weight", "min_sample", "actions", "enabled", "name", "area"}
_PROFILE_KEYS = {"max_staff", "major_incidents", "optional_metrics"}
_COND_KEYS = {"area", "metric", "min", "periods", "label"}


class _Checker:
    def __init__(self, origin: str) -> None:
        self.origin = origin

    def fail(self, key: str, problem: str) -> ConfigError:
        return ConfigError(f"{self.origin}: {key}: {problem}")

    def table(self, value: Any, key: str) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise self.fail(key, f"expected a table, got {value!r}")
        return value

    def number(self, value: Any, key: str, minimum: float | None = None) -> float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.fail(key, f"expected a number, got {value!r}")
        if minimum is not None and value < minimum:
            raise self.fail(key, f"expected at least {minimum:g}, got {value!r}")
        return float(value)

    def text(self, value: Any, key: str) -> str:
        if not isinstance(value, str) or not value.strip():
            raise self.fail(key, f"expected text, got {value!r}")
        return value

    def keys(self, table: dict[str, Any], allowed: set[str], key: str) -> None:
        unknown = sorted(set(table) - allowed)
        if unknown:
            raise self.fail(
                key, f"unknown key {unknown[0]!r}; expected one of {', '.join(sorted(allowed))}"
            )


def validate(data: dict[str, Any], origin: str = "framework") -> Framework:
    """Check a merged framework table and build the typed `Framework`."""
    from trustmeter.metrics.catalogue import all_metrics

    c = _Checker(origin)
    c.keys(data, _TOP, "framework")
    registry = all_metrics()
    params = c.table(data.get("params", {}), "params")
    for key in ("min_sample_events", "min_sample_groups", "min_group", "perception_threshold"):
        c.number(params.get(key), f"params.{key}", 0)
    if int(params["min_group"]) < 3:
        raise c.fail("params.min_group", "must be 3 or more (anonymity floor in FRAMEWORK.md)")
    c.number(params.get("min_coverage"), "params.min_coverage", 0)
    if params.get("period") not in ("month", "quarter"):
        raise c.fail(
            "params.period", f"expected 'month' or 'quarter', got {params.get('period')!r}"
        )

    areas: dict[str, Area] = {}
    for aid, a in c.table(data.get("areas", {}), "areas").items():
        key = f"areas.{aid}"
        a = c.table(a, key)
        c.keys(a, _AREA_KEYS, key)
        areas[aid] = Area(
            aid,
            c.text(a.get("name", aid), key + ".name"),
            c.number(a.get("weight", 1), key + ".weight", 0),
            str(a.get("measure_with", "")),
        )
    if not areas:
        raise c.fail("areas", "at least one area is needed")

    metrics: dict[str, MetricSettings] = {}
    for mid, m in c.table(data.get("metrics", {}), "metrics").items():
        key = f"metrics.{mid}"
        if mid not in registry:
            raise c.fail(key, f"unknown metric; known metrics: {', '.join(sorted(registry))}")
        m = c.table(m, key)
        c.keys(m, _METRIC_KEYS, key)
        area = m.get("area", registry[mid].area)
        if area not in areas:
            raise c.fail(key + ".area", f"unknown area {area!r}")
        target = c.number(m["target"], key + ".target") if "target" in m else None
        floor = c.number(m["floor"], key + ".floor") if "floor" in m else None
        if (target is None) != (floor is None):
            raise c.fail(key, "give both target and floor, or neither")
        if target is not None and target == floor:
            raise c.fail(key, "target and floor must differ")
        if target is None and mid != "major_incidents":
            raise c.fail(key, "needs a target and a floor")
        if target is not None and floor is not None:
            lower_better = registry[mid].direction == "lower"
            if (target < floor) != lower_better:
                want = "below" if lower_better else "above"
                raise c.fail(
                    key,
                    f"target must be {want} floor: lower values are "
                    f"{'better' if lower_better else 'worse'} for {mid}",
                )
        ms = m.get("min_sample")
        actions = m.get("actions", [])
        if not isinstance(actions, list) or not all(isinstance(x, str) for x in actions):
            raise c.fail(key + ".actions", "expected a list of text")
        metrics[mid] = MetricSettings(
            mid,
            area,
            target,
            floor,
            c.number(m.get("weight", 1), key + ".weight", 0),
            int(c.number(ms, key + ".min_sample", 0)) if ms is not None else None,
            tuple(actions),
            bool(m.get("enabled", True)),
            m.get("name"),
        )
    missing = sorted(set(registry) - set(metrics))
    if missing:
        raise c.fail("metrics", f"no settings for {', '.join(missing)}")

    profiles: dict[str, Profile] = {}
    for pid, p in c.table(data.get("profiles", {}), "profiles").items():
        key = f"profiles.{pid}"
        p = c.table(p, key)
        c.keys(p, _PROFILE_KEYS, key)
        mi = c.table(p.get("major_incidents", {}), key + ".major_incidents")
        opt = p.get("optional_metrics", [])
        for o in opt:
            if o not in registry:
                raise c.fail(key + ".optional_metrics", f"unknown metric {o!r}")
        profiles[pid] = Profile(
            pid,
            int(p["max_staff"]) if "max_staff" in p else None,
            (
                c.number(mi.get("target"), key + ".major_incidents.target", 0),
                c.number(mi.get("floor"), key + ".major_incidents.floor", 0),
            ),
            tuple(opt),
        )
    if not profiles:
        raise c.fail("profiles", "at least one profile is needed")

    stages: list[Stage] = []
    raw_stages = data.get("stages", [])
    if not isinstance(raw_stages, list) or not raw_stages:
        raise c.fail("stages", "expected a list of [[stages]]")
    for i, s in enumerate(raw_stages):
        key = f"stages[{i}]"
        s = c.table(s, key)
        if s.get("level") != i:
            raise c.fail(key + ".level", f"stages must be numbered 0, 1, 2… in order; expected {i}")
        conds = []
        for j, g in enumerate(s.get("gate", [])):
            gk = f"{key}.gate[{j}]"
            g = c.table(g, gk)
            c.keys(g, _COND_KEYS, gk)
            if ("area" in g) == ("metric" in g):
                raise c.fail(gk, "name exactly one of area or metric")
            if "area" in g:
                if g["area"] != "*" and g["area"] not in areas:
                    raise c.fail(gk + ".area", f"unknown area {g['area']!r}")
                kind, target = "area", g["area"]
            else:
                if g["metric"] not in registry:
                    raise c.fail(gk + ".metric", f"unknown metric {g['metric']!r}")
                kind, target = "metric", g["metric"]
            periods = int(c.number(g.get("periods", 1), gk + ".periods", 1))
            conds.append(
                Condition(
                    kind, target, c.number(g.get("min"), gk + ".min"), periods, g.get("label")
                )
            )
        stages.append(
            Stage(
                i,
                c.text(s.get("name"), key + ".name"),
                c.number(s.get("ceiling", 100), key + ".ceiling", 0),
                tuple(conds),
            )
        )
    pred = c.table(data.get("predictability", {}), "predictability").get("metrics", [])
    for p_id in pred:
        if p_id not in registry:
            raise c.fail("predictability.metrics", f"unknown metric {p_id!r}")
    return Framework(params, areas, metrics, profiles, stages, tuple(pred), data)
