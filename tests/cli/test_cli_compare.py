"""`compare` and `benchmarks` end to end on the demo organisation, checked against `score` and
`trend` and against the noise rules worked out independently here."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from trustmeter.cli import cli


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("demo") / "northwind"
    r = CliRunner().invoke(cli, ["demo", str(root)], catch_exceptions=False)
    assert r.exit_code == 0, r.output
    return root


def run(ws: Path, *args: str, columns: int = 80) -> Any:
    runner = CliRunner(env={"COLUMNS": str(columns)})
    return runner.invoke(cli, ["--workspace", str(ws), *args], catch_exceptions=False)


def as_json(ws: Path, *args: str) -> Any:
    r = run(ws, *args, "--json")
    assert r.exit_code == 0, r.output
    return json.loads(r.output)


def metrics_of(card: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {m["id"]: m for a in card["areas"] for m in a["metrics"]}


@pytest.fixture(scope="module")
def year_on_year(demo: Path) -> dict[str, Any]:
    return as_json(demo, "compare", "2025-Q3", "2026-Q3")  # type: ignore[no-any-return]


def test_every_metric_side_by_side_as_score_gives_it(demo: Path, year_on_year: Any) -> None:
    a = metrics_of(as_json(demo, "score", "--as-of", "2025-10-01"))
    b = metrics_of(as_json(demo, "score", "--as-of", "2026-10-01"))
    c = year_on_year
    assert (c["a"]["label"], c["b"]["label"]) == ("2025-Q3", "2026-Q3")
    # The history the noise rule reads: eight quarters ending with the earlier period.
    assert c["history"][0] == "2023-Q4" and c["history"][-1] == "2025-Q3"
    assert [m["id"] for m in c["metrics"]] == list(a)
    for m in c["metrics"]:
        ma, mb = a[m["id"]], b[m["id"]]
        assert m["name"] == ma["name"]
        assert (m["a"]["n"], m["b"]["n"]) == (ma["n"], mb["n"])
        assert (m["a"]["status"], m["b"]["status"]) == (ma["status"], mb["status"])
        if ma["status"] == "ok" and mb["status"] == "ok":
            assert m["change"] == pytest.approx(mb["value"] - ma["value"], abs=1e-3)
            assert m["score_change"] == pytest.approx(mb["score"] - ma["score"], abs=0.05)
            assert m["change_unit"] == ("pp" if ma["unit"] == "%" else ma["unit"])


def test_a_share_is_judged_by_a_two_proportion_test(demo: Path, year_on_year: Any) -> None:
    cfr = next(m for m in year_on_year["metrics"] if m["id"] == "change_failure_rate")
    (pa, na), (pb, nb) = ((cfr[s]["value"] / 100, cfr[s]["n"]) for s in ("a", "b"))
    xa, xb = round(pa * na), round(pb * nb)
    pooled = (xa + xb) / (na + nb)
    z = (xb / nb - xa / na) / math.sqrt(pooled * (1 - pooled) * (1 / na + 1 / nb))
    assert cfr["noise"]["method"] == "two_proportion"
    assert cfr["noise"]["statistic"] == pytest.approx(z, abs=1e-3)
    assert abs(z) > 1.96 and cfr["noise"]["verdict"] == "beyond_noise"
    assert cfr["better"] is True  # the failure rate fell
    assert cfr["a"]["sample"] == f"{na} production changes"


def test_a_time_is_judged_by_the_moving_ranges_of_its_history(
    demo: Path, year_on_year: Any
) -> None:
    trend = as_json(demo, "trend", "--periods", "8", "--as-of", "2025-10-01")["periods"]
    assert [c["period"]["label"] for c in trend] == year_on_year["history"]
    for metric_id in ("request_lead_time", "regretted_attrition"):
        m = next(x for x in year_on_year["metrics"] if x["id"] == metric_id)
        past = [
            metrics_of(c)[metric_id] for c in trend if metrics_of(c)[metric_id]["status"] == "ok"
        ]
        log = metric_id == "request_lead_time"  # times are judged on the log scale
        xs = [math.log(p["value"]) if log else p["value"] for p in past]
        average_range = sum(abs(x - y) for x, y in zip(xs[1:], xs, strict=False)) / (len(xs) - 1)
        limit = 3.268 * average_range
        change = (
            math.log(m["b"]["value"] / m["a"]["value"])
            if log
            else m["b"]["value"] - m["a"]["value"]
        )
        assert m["noise"]["method"] == "xmr"
        assert m["noise"]["limit"] == pytest.approx(math.exp(limit) if log else limit, rel=1e-3)
        assert m["noise"]["verdict"] == ("beyond_noise" if abs(change) > limit else "within_noise")


def test_areas_index_and_stage_side_by_side(demo: Path, year_on_year: Any) -> None:
    a = as_json(demo, "score", "--as-of", "2025-10-01")
    b = as_json(demo, "score", "--as-of", "2026-10-01")
    c = year_on_year
    assert c["stage"]["a"] == {"level": a["stage"]["level"], "name": a["stage"]["name"]}
    assert c["stage"]["b"] == {"level": b["stage"]["level"], "name": b["stage"]["name"]}
    assert (c["trust_index"]["a"], c["trust_index"]["b"]) == (a["trust_index"], b["trust_index"])
    assert c["area_average"]["b"] == b["indices"]["trust"]["uncapped"]
    assert [x["id"] for x in c["areas"]] == [x["id"] for x in b["areas"]]
    for x, area in zip(c["areas"], b["areas"], strict=True):
        assert x["b"] == area["score"]


def test_text_names_metrics_labels_n_and_cites_benchmarks(demo: Path) -> None:
    r = run(demo, "compare", "2025-Q3", "2026-Q3", columns=200)  # no cell wraps
    assert r.exit_code == 0, r.output
    out = " ".join(r.output.split())
    assert "2025-Q3 against 2026-Q3" in out
    assert "Change failure rate fell from 21.6 % to 6.20 %" in out
    assert "production changes" in out and "business units" in out
    assert "change_failure_rate" not in out  # names, not ids, in what people read
    assert "DORA, Accelerate State of DevOps Report 2024" in out
    assert "https://dora.dev/research/2024/dora-report/" in out


def test_a_slice_and_months(demo: Path) -> None:
    c = as_json(demo, "compare", "2026-07", "2026-09", "--unit", "Operations")
    assert c["slice"] == {"kind": "unit", "name": "Operations"}
    assert c["history"][-1] == "2026-07" and len(c["history"]) == 8
    left_out = [m for m in c["metrics"] if m["a"]["status"] == "left_out"]
    assert left_out and all(m["noise"]["verdict"] == "not_comparable" for m in left_out)


def test_bad_periods_are_refused_with_what_was_expected(demo: Path) -> None:
    r = run(demo, "compare", "2026-Q5", "2026-Q3")
    assert r.exit_code == 2
    assert "expected a quarter (2026-Q2), a month (2026-05) or a date" in r.output
    r = run(demo, "compare", "2026-Q3", "2026-09")
    assert r.exit_code == 2 and "compare two quarters or two months" in r.output


def test_benchmarks_command_and_score_text(demo: Path) -> None:
    d = as_json(demo, "benchmarks", "--as-of", "2026-10-01")
    by_metric = {x["metric"]: x for x in d["benchmarks"]}
    lead = by_metric["lead_time_for_changes"]
    assert 24 <= lead["value"] < 168
    assert lead["placement"]["band"] == "High"
    assert lead["reference"]["year"] == 2024
    r = run(demo, "score", "--as-of", "2026-10-01")
    out = " ".join(r.output.split())
    assert "Against published benchmarks (2026-Q3)" in out
    assert "Lead time for changes (median): 37.5 h, DORA, Accelerate State of DevOps" in out
