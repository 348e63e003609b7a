"""`trustmeter demo` end to end: exports written, imported through the importers, scored, reported."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from trustmeter.cli import cli


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    root = tmp_path_factory.mktemp("demo") / "northwind"
    r = CliRunner().invoke(cli, ["demo", str(root)], catch_exceptions=False)
    assert r.exit_code == 0, r.output
    return root, r.output


def _score(root: Path) -> dict:
    r = CliRunner().invoke(cli, ["-w", str(root), "score", "--as-of", "2026-10-01", "--json"])
    assert r.exit_code == 0, r.output
    return json.loads(r.output)


def test_demo_imports_every_kind_without_errors(demo: tuple[Path, str]) -> None:
    _, out = demo
    for kind in (
        "services",
        "incidents",
        "changes",
        "work-items",
        "commitments",
        "projects",
        "engagements",
        "stakeholders",
        "people",
        "skills",
        "learning",
        "budget",
        "survey-responses",
        "objectives",
    ):
        assert f" {kind} rows from" in out, kind
    assert "error" not in out.lower()
    assert "wrote the report to" in out


def test_demo_tells_its_story(demo: tuple[Path, str]) -> None:
    root, _ = demo
    card = _score(root)
    assert card["period"]["label"] == "2026-Q3"
    # stability recovered, but one critical service depends on one person
    stab = next(a for a in card["areas"] if a["id"] == "stability")
    assert stab["score"] >= 70
    assert card["stage"]["level"] == 1
    assert [b["target"] for b in card["stage"]["blocked_by"]] == ["key_person_coverage"]
    top = card["focus"]["items"][0]
    assert top["metric"] == "key_person_coverage"
    assert "ERP" in top["evidence"][0]["detail"] and "by one person" in top["evidence"][0]["detail"]
    # the neglected business unit shows in the relationship evidence
    cadence = next(m for a in card["areas"] for m in a["metrics"] if m["id"] == "review_cadence")
    assert any(
        "Operations" in e["detail"] and "no review in" in e["detail"] for e in cadence["evidence"]
    )
    # every metric with data carries its sample size
    for a in card["areas"]:
        for m in a["metrics"]:
            assert isinstance(m["n"], int)


def test_demo_trend_shows_stability_recovering(demo: tuple[Path, str]) -> None:
    root, _ = demo
    r = CliRunner().invoke(
        cli, ["-w", str(root), "trend", "--periods", "8", "--as-of", "2026-10-01", "--json"]
    )
    cards = json.loads(r.output)["periods"]
    stab = [next(a["score"] for a in c["areas"] if a["id"] == "stability") for c in cards]
    first_year = [s for s in stab[:4] if s is not None]
    assert first_year and max(first_year) < 50 <= 70 <= stab[-1]


def test_demo_report_is_self_contained(demo: tuple[Path, str]) -> None:
    root, _ = demo
    html = (root / "trustmeter-report.html").read_text()
    assert "Order Taker" in html and "Reliable Operator" in html
    assert "http://" not in html and "https://" not in html and "<script" not in html
    # the demo's incident title with markup never reaches the page unescaped
    assert "<script>alert" not in html


def test_demo_refuses_to_overwrite(demo: tuple[Path, str]) -> None:
    root, _ = demo
    r = CliRunner().invoke(cli, ["demo", str(root)])
    assert r.exit_code == 1 and "--force" in r.output


GOLDEN = Path(__file__).parent / "golden" / "demo-scorecard-2026-Q3.json"


def _approx_equal(got: object, want: object, path: str = "$") -> list[str]:
    """Differences between two JSON values; floats compare to 1e-6 relative."""
    if isinstance(want, dict) and isinstance(got, dict):
        out = [f"{path}: keys {sorted(set(got) ^ set(want))}"] if set(got) != set(want) else []
        for k in set(got) & set(want):
            out += _approx_equal(got[k], want[k], f"{path}.{k}")
        return out
    if isinstance(want, list) and isinstance(got, list):
        if len(got) != len(want):
            return [f"{path}: {len(got)} items, golden has {len(want)}"]
        return [
            d
            for i, (g, w) in enumerate(zip(got, want, strict=True))
            for d in _approx_equal(g, w, f"{path}[{i}]")
        ]
    if isinstance(want, float) or isinstance(got, float):
        ok = (
            isinstance(got, int | float)
            and isinstance(want, int | float)
            and got == pytest.approx(want, rel=1e-6, abs=1e-9)
        )
        return [] if ok else [f"{path}: {got!r} != golden {want!r}"]
    return [] if got == want else [f"{path}: {got!r} != golden {want!r}"]


def test_demo_scorecard_matches_golden_file(demo: tuple[Path, str]) -> None:
    """Any change to a figure on the demo shows up here; regenerate with UPDATE_GOLDEN=1."""
    import os

    root, _ = demo
    card = _score(root)
    card.pop("generated_at")
    card["workspace"].pop("name", None)
    if os.environ.get("UPDATE_GOLDEN") or not GOLDEN.exists():
        GOLDEN.parent.mkdir(exist_ok=True)
        GOLDEN.write_text(json.dumps(card, indent=1, sort_keys=True, ensure_ascii=False) + "\n")
        if not os.environ.get("UPDATE_GOLDEN"):
            pytest.fail(f"golden file {GOLDEN} was missing and has been written; commit it")
    want = json.loads(GOLDEN.read_text())
    diffs = _approx_equal(card, want)
    assert not diffs, "\n".join(diffs[:20])


def test_a_service_slice_from_the_command_line(demo: tuple[Path, str]) -> None:
    root, _ = demo
    run = CliRunner().invoke
    args = ["-w", str(root), "--as-of", "2026-10-01"]
    whole = _score(root)
    r = run(cli, [*args[:2], "score", *args[2:], "--service", "SAP S/4HANA ERP", "--json"])
    assert r.exit_code == 0, r.output
    card = json.loads(r.output)
    assert card["slice"]["kind"] == "service" and card["slice"]["name"] == "SAP S/4HANA ERP"
    assert "slice" not in whole
    mttr = next(m for a in card["areas"] for m in a["metrics"] if m["id"] == "mttr")
    all_mttr = next(m for a in whole["areas"] for m in a["metrics"] if m["id"] == "mttr")
    assert 0 < mttr["n"] < all_mttr["n"]
    # The drill-down of the sliced figure lists that service's incidents and no others.
    r = run(
        cli,
        [*args[:2], "explain", "mttr", *args[2:], "--service", "SAP S/4HANA ERP", "--json"],
    )
    assert r.exit_code == 0, r.output
    records = json.loads(r.output)["records"]
    assert records["total"] == mttr["n"]
    col = records["columns"].index("service")
    assert {row[col] for row in records["rows"]} == {"ERP"}
    # One slice at a time.
    r = run(cli, [*args[:2], "score", *args[2:], "--team", "Platform", "--unit", "Finance"])
    assert r.exit_code != 0 and "not several" in r.output


def test_the_readme_forecast_example_runs_on_the_demo(demo: tuple[Path, str]) -> None:
    """The README's forecast line, as written there for the demo, gives dates; without the
    history flags it is refused with the records' last day (not read as empty weeks)."""
    import re
    import shlex

    root, _ = demo
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text()
    prose = " ".join(readme.split())
    line = re.search(r"`trustmeter -w trustmeter-demo (forecast when [^`]+)`", prose)
    assert line is not None
    args = shlex.split(line.group(1))
    r = CliRunner().invoke(cli, ["-w", str(root), *args, "--json"])
    assert r.exit_code == 0, r.output
    body = json.loads(r.output)
    assert body["subject"]["team"] == "Applications" and body["start"] == "2026-10-01"
    stale = [a for a in args if a not in ("--history-to", "2026-09-30", "--start", "2026-10-01")]
    r = CliRunner().invoke(cli, ["-w", str(root), *stale])
    assert r.exit_code == 1 and "records run to 2026-09-30" in " ".join(r.output.split())


def test_demo_history_is_long_enough_for_the_order_verdict(demo: tuple[Path, str]) -> None:
    """Five years of quarters and a stakeholder survey every quarter: every pair has changes
    enough to be tested, and the story built into the data (relationships and planning follow
    stability by two quarters) is what the method finds. The demo prints the method's words."""
    root, out = demo
    r = CliRunner().invoke(cli, ["-w", str(root), "ordering", "--to", "2026-10-01", "--json"])
    assert r.exit_code == 0, r.output
    o = json.loads(r.output)
    assert len(o["periods"]) >= 20
    assert sum(c["kind"] == "stakeholder" for c in o["campaigns"]) == 20
    assert all(p["changes"] >= 9 for p in o["pairs"])
    pairs = {(p["leader"], p["follower"]): p for p in o["pairs"]}
    for follower in ("relationships", "planning"):
        p = pairs[("stability", follower)]
        assert p["verdict"] == "supports", p
        assert p["interval"][0] <= 2 <= p["interval"][1] and p["interval"][0] > 0
    assert not any(p["verdict"] == "contradicts" for p in o["pairs"])
    assert o["verdict"] == "supports"
    assert o["summary"] in " ".join(out.split())
