"""Issue 15 in the report layer: the per-metric trend, the slice synthesis in one sentence, the
full report's top three and its focus summary in plain words (names, never metric ids)."""

from __future__ import annotations

import copy
import re
from typing import Any

from report_cards import as_card, make_card, make_trend

from trustmeter.metrics.slices import APPLIES
from trustmeter.report import render_html
from trustmeter.report.metric_trend import metric_trend, metric_trends
from trustmeter.report.sections import plain_focus_summary
from trustmeter.report.slices_view import synthesis_sentence
from trustmeter.scorecard.focus import slice_synthesis


def _set(card: dict[str, Any], mid: str, **fields: Any) -> None:
    for a in card["areas"]:
        for m in a["metrics"]:
            if m["id"] == mid:
                m.update(fields)


def test_metric_trend_places_each_period_with_its_sample() -> None:
    cards = [as_card(c) for c in make_trend()]
    t = metric_trend(cards, "mttr")
    assert [p["period"] for p in t["points"]] == ["2025-Q4", "2026-Q1", "2026-Q2", "2026-Q3"]
    assert t["points"][-1]["text"] == "5.2 h"
    assert t["points"][-1]["sample"] == "14 P1/P2 incidents resolved"
    # Lower is better for a time: the latest (lowest) value is drawn lowest on the chart.
    ys = [p["y"] for p in t["points"]]
    values = [p["value"] for p in t["points"]]
    assert sorted(ys) == [ys[i] for i in sorted(range(4), key=lambda i: -values[i])]
    assert "2026-Q3: 5.2 h (14 P1/P2 incidents resolved)" in t["desc"]


def test_metric_trend_leaves_a_gap_for_a_period_without_a_figure() -> None:
    raw = make_trend()
    _set(raw[1], "mttr", status="no_data", value=None, score=None, n=0)
    _set(raw[2], "mttr", status="insufficient", n=3)
    t = metric_trend([as_card(c) for c in raw], "mttr")
    gap, provisional = t["points"][1], t["points"][2]
    assert gap["y"] is None and gap["text"] == "no data"
    assert provisional["provisional"] and provisional["y"] is not None
    # Two segments, never a line drawn through the missing period (nor a zero).
    assert len(t["paths"]) == 1 and t["paths"][0].startswith("M") and "L" in t["paths"][0]
    assert t["points"][0]["x"] not in [float(x) for x in re.findall(r"M([\d.]+)", t["paths"][0])]


def test_report_has_a_small_multiple_per_metric_and_the_top_three() -> None:
    raw = make_trend()
    cards = [as_card(c) for c in raw]
    multiples = metric_trends(cards)
    names = [c["name"] for a in multiples for c in a["charts"]]
    assert "Mean time to restore (median)" in names or any("restore" in n for n in names)
    assert "on_call_load" not in [c["id"] for a in multiples for c in a["charts"]]  # left out
    html = render_html(cards[-1], cards)
    assert "Each metric over time" in html
    assert html.count('class="metric-trend small"') == sum(len(a["charts"]) for a in multiples)
    assert "The top three" in html
    # The focus summary names conditions in words, not ids.
    assert "key_person_coverage is" not in html
    assert "Tier-1 services with a backup is 67 %, below 100 %" in html


def test_plain_focus_summary_uses_names_not_ids() -> None:
    card = as_card(make_card())
    assert "stability scored below 70" in card.focus.summary  # the scorecard's own wording
    text = plain_focus_summary(card)
    assert "key_person_coverage" not in text and "stability scored" not in text
    assert text.startswith("To reach Reliable Operator: Production Stability scores 49.3, below 70")


def _unit_card(name: str) -> dict[str, Any]:
    """The hand-built card as a business unit's: the metrics a unit slice leaves out are
    left out, as the Scorer leaves them (metrics/slices.py)."""
    card = make_card()
    card["slice"] = {"kind": "unit", "name": name, "left_out": {}}
    for a in card["areas"]:
        for m in a["metrics"]:
            if m["id"] not in APPLIES["unit"]:
                m.update(status="left_out", value=None, score=None, n=0)
    return card


def test_synthesis_calls_a_unit_neglected_with_its_evidence() -> None:
    unit = _unit_card("Operations")
    _set(unit, "review_cadence", value=0.0, score=0.0, n=3)
    _set(unit, "proactive_contact", value=10.0, score=0.0, n=29)
    _set(unit, "early_involvement", value=5.0, score=0.0, n=6)
    department = make_card()
    _set(
        department,
        "relationship_nps",
        breakdown={"by_group": {"Operations": {"value": -100.0, "respondents": 7}}},
    )
    s = slice_synthesis(as_card(unit), as_card(department))
    assert s.verdict == "poor"
    assert {f.metric for f in s.poor} == {
        "relationship_nps",
        "review_cadence",
        "proactive_contact",
        "early_involvement",
    }
    # The survey figure is the unit's group result, from the department's scorecard.
    nps = next(f for f in s.figures if f.metric == "relationship_nps")
    assert nps.survey and nps.value == -100.0 and nps.n == 7
    # At or past the floor: 4 of 14 figures, a quarter or more (POOR_SHARE); with one fewer,
    # 3 of 14, the unit is served unevenly, not neglected.
    assert len(s.figures) == 14
    fewer = copy.deepcopy(unit)
    _set(fewer, "early_involvement", value=40.0, score=60.0, n=6)
    assert slice_synthesis(as_card(fewer), as_card(department)).verdict == "mixed"
    sentence = synthesis_sentence(s, "Operations")
    assert sentence.startswith("Operations is neglected: ")
    assert "Relationship NPS −100 (7 respondents)" in sentence
    assert "review_cadence" not in sentence


def test_synthesis_without_figures_at_the_floor_is_not_neglected() -> None:
    unit = _unit_card("Sales")
    s = slice_synthesis(as_card(unit), as_card(make_card()))
    assert s.verdict in ("mixed", "good") and not s.poor
    assert "neglected" not in synthesis_sentence(s, "Sales")
    # One figure at its floor among many is not neglect either.
    one = copy.deepcopy(unit)
    _set(one, "review_cadence", value=0.0, score=0.0, n=3)
    s1 = slice_synthesis(as_card(one), as_card(make_card()))
    assert s1.verdict == "mixed" and len(s1.poor) == 1
    assert "1 of" in synthesis_sentence(s1, "Sales") and "figures is at or past" in (
        synthesis_sentence(s1, "Sales")
    )


def test_slice_sections_escape_names() -> None:
    from trustmeter.report.slices_view import slice_row, slice_section

    evil = "<script>alert('x')</script>"
    unit = _unit_card(evil)
    card = as_card(unit)
    row = slice_row(card, slice_synthesis(card, as_card(make_card())), evil, "")
    html = render_html(card, [card], slices=[slice_section("unit", [row])])
    assert "By business unit" in html
    assert evil not in html and "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in html
