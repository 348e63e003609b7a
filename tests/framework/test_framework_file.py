"""The framework file: defaults, overrides, and clear errors for a wrong file."""

from __future__ import annotations

from pathlib import Path

import pytest

from trustmeter import framework as fw
from trustmeter import workspace
from trustmeter.errors import ConfigError


def test_defaults_match_framework_md() -> None:
    f = fw.load()
    assert list(f.areas) == ["stability", "delivery", "planning", "relationships", "talent"]
    assert f.targets("availability", "mid") == (99.9, 99.0)
    assert f.targets("mttr", "mid") == (1, 24)
    assert f.targets("major_incidents", "small") == (1, 4)
    assert f.targets("major_incidents", "mid") == (2, 8)
    assert f.targets("major_incidents", "large") == (4, 16)
    assert [s.name for s in f.stages] == [
        "Unstable",
        "Order Taker",
        "Reliable Operator",
        "Trusted Advisor",
        "Trusted Partner",
    ]
    assert [s.ceiling for s in f.stages] == [20, 40, 60, 80, 100]
    assert f.min_sample("mttr", "events") == 5
    assert f.min_sample("enps", "groups") == 3
    assert f.params["min_group"] == 5
    assert set(f.profiles["small"].optional_metrics) == {
        "slo_attainment",
        "deployment_frequency",
        "lead_time_for_changes",
        "on_call_load",
    }


def test_override_merges_tables_and_replaces_lists() -> None:
    f = fw.load(
        [
            (
                "mine.toml",
                {
                    "metrics": {"mttr": {"target": 2, "floor": 48, "weight": 3}},
                    "areas": {"talent": {"name": "People", "weight": 2}},
                },
            )
        ]
    )
    assert f.targets("mttr", "mid") == (2, 48)
    assert f.metrics["mttr"].weight == 3
    assert f.metrics["mttr"].actions  # untouched keys keep their defaults
    assert f.areas["talent"].name == "People" and f.areas["talent"].weight == 2


@pytest.mark.parametrize(
    ("override", "message"),
    [
        (
            {"metrics": {"mttr": {"target": "fast"}}},
            "metrics.mttr.target: expected a number, got 'fast'",
        ),
        ({"metrics": {"mttr": {"targte": 2}}}, "metrics.mttr: unknown key 'targte'"),
        ({"metrics": {"mtbf": {"target": 1, "floor": 2}}}, "metrics.mtbf: unknown metric"),
        (
            {"metrics": {"mttr": {"target": 48, "floor": 1}}},
            "metrics.mttr: target must be below floor",
        ),
        ({"metrics": {"availability": {"target": 90, "floor": 99}}}, "target must be above floor"),
        ({"metrics": {"mttr": {"target": 5, "floor": 5}}}, "target and floor must differ"),
        ({"params": {"min_group": 2}}, "params.min_group: must be 3 or more"),
        ({"areas": {"talent": {"weight": -1}}}, "areas.talent.weight: expected at least 0"),
        ({"stages": [{"level": 1, "name": "x"}]}, "stages[0].level: stages must be numbered"),
        (
            {"stages": [{"level": 0, "name": "x", "gate": [{"area": "luck", "min": 1}]}]},
            "stages[0].gate[0].area: unknown area 'luck'",
        ),
        (
            {"stages": [{"level": 0, "name": "x", "gate": [{"min": 1}]}]},
            "name exactly one of area or metric",
        ),
        ({"colour": "blue"}, "unknown key 'colour'"),
    ],
)
def test_wrong_file_gets_clear_error(override: dict, message: str) -> None:
    with pytest.raises(ConfigError) as exc:
        fw.load([("mine.toml", override)])
    assert str(exc.value).startswith("mine.toml: ")
    assert message in str(exc.value)


def test_invalid_toml_names_file(tmp_path: Path) -> None:
    p = tmp_path / "f.toml"
    p.write_text("[metrics.mttr\ntarget = 1\n")
    with pytest.raises(ConfigError, match=r"f\.toml: not valid TOML"):
        fw.load_file(p)


def test_workspace_overrides_apply(tmp_path: Path) -> None:
    ws = workspace.init(tmp_path / "ws", profile="small")
    text = ws.config_path.read_text() + "\n[framework.metrics.mtta]\ntarget = 10\nfloor = 120\n"
    ws.config_path.write_text(text)
    f = workspace.load(ws.root).framework()
    assert f.targets("mtta", "small") == (10, 120)
    (ws.root / "extra.toml").write_text("[metrics.mttr]\ntarget = 4\nfloor = 72\n")
    ws.config_path.write_text(
        text.replace('profile = "small"', 'profile = "small"\nframework = "extra.toml"')
    )
    f = workspace.load(ws.root).framework()
    assert f.targets("mttr", "small") == (4, 72) and f.targets("mtta", "small") == (10, 120)


def test_workspace_rejects_bad_profile_and_zone(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="unknown profile 'huge'"):
        workspace.init(tmp_path / "a", profile="huge")
    with pytest.raises(ConfigError, match="unknown time zone 'Mars/Base'"):
        workspace.init(tmp_path / "b", timezone="Mars/Base")
    workspace.init(tmp_path / "c")
    with pytest.raises(ConfigError, match="already exists"):
        workspace.init(tmp_path / "c")
