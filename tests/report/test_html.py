"""The HTML report: content, offline-ness, escaping and the awkward cases.

The report is checked with the standard library's html.parser; the fixture report is also
written to report-fixture.html in the artefacts folder (tests/artifacts.py) for a human (or a headless browser) to look at.
"""

from __future__ import annotations

import copy
from html.parser import HTMLParser
from typing import Any

import pytest
from report_cards import as_card, make_empty_card, metric

from artifacts import artifacts_dir
from trustmeter.report import render_html

AREA_NAMES = [
    "Production Stability",
    "Delivery",
    "Planning & Optimization",
    "Fostering Key Relationships",
    "Talent Development",
]
EVIL = "<script>alert(1)</script> \"&'"


class Page(HTMLParser):
    """Tags with their attributes, the visible text, the text inside <svg>, and table rows."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []
        self.svg_text: list[str] = []
        self.rows: list[list[str]] = []
        self._stack: list[str] = []
        self._row: list[str] | None = None
        self._cell: list[str] | None = None
        self._in_style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag == "style":
            self._in_style = True
        if tag == "tr":
            self._row = []
        if tag in ("td", "th") and self._row is not None:
            self._cell = []
        self._stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag == "style":
            self._in_style = False
        if tag in ("td", "th") and self._row is not None and self._cell is not None:
            self._row.append(" ".join(" ".join(self._cell).split()))
            self._cell = None
        if tag == "tr" and self._row is not None:
            self.rows.append(self._row)
            self._row = None
        while self._stack:
            if self._stack.pop() == tag:
                break

    def handle_data(self, data: str) -> None:
        if self._in_style:
            return
        self.text.append(data)
        if "svg" in self._stack:
            self.svg_text.append(data)
        if self._cell is not None:
            self._cell.append(data)

    @property
    def all_text(self) -> str:
        return " ".join(" ".join(self.text).split())

    def row(self, first_cell: str, cells: int | None = None) -> list[str]:
        """The first table row whose first cell starts with `first_cell` (and has `cells` cells)."""
        return next(
            r
            for r in self.rows
            if r and r[0].startswith(first_cell) and (cells is None or len(r) == cells)
        )


def render(current: dict[str, Any], trend: list[dict[str, Any]], **kw: Any) -> str:
    """The report of scorecards given in their JSON form."""
    return render_html(as_card(current), [as_card(t) for t in trend], **kw)


def parse(html: str) -> Page:
    p = Page()
    p.feed(html)
    p.close()
    return p


@pytest.fixture
def page(card: dict[str, Any], trend: list[dict[str, Any]]) -> tuple[str, Page]:
    html = render(card, trend)
    out = artifacts_dir() / "report-fixture.html"
    out.write_text(html, encoding="utf-8")
    return html, parse(html)


# --------------------------------------------------------------------------- content


def test_headline_stage_and_indices(page: tuple[str, Page]) -> None:
    html, p = page
    text = p.all_text
    assert html.startswith("<!DOCTYPE html>")
    assert "Order Taker" in text
    assert "Stage 1 of 4" in text
    assert "2026-Q3" in text
    assert "40.0" in text  # trust index
    assert "46.2" in text  # predictability index
    assert "Capped at 40 by the Order Taker ceiling" in text
    assert "The areas average 57.8" in text


def test_five_areas_appear_in_chart_and_tables(page: tuple[str, Page]) -> None:
    _, p = page
    svg = " ".join(p.svg_text)
    h3 = " ".join(p.text)
    for name in AREA_NAMES:
        assert name in svg, name
        assert name in h3, name


def test_summary_paragraph(page: tuple[str, Page]) -> None:
    _, p = page
    text = p.all_text
    assert "Where we stand. In 2026-Q3 IT is at stage 1 of 4, Order Taker." in text
    assert "Delivery is strongest (65.8), Production Stability weakest (49.3)" in text
    assert "Planning & Optimization is not measured yet" in text
    assert (
        "Reliable Operator is out of reach while Production Stability scores 49.3, below 70" in text
    )
    assert "The biggest lever is mean time to restore (median) in Production Stability" in text
    assert "Since 2026-Q2 the Trust Index has held at 40.0" in text
    assert "Production Stability improved most (+5.0)" in text


def test_ladder_lists_next_gate_conditions(page: tuple[str, Page]) -> None:
    _, p = page
    text = p.all_text
    assert "Reliable Operator needs:" in text
    # The area by its name, not its id (issue 15).
    assert (
        "Production Stability ≥ 70 in this period and the one before: now 49.3 (44.3 the "
        "period before)" in text
    )
    assert "stability ≥ 70" not in text
    assert "no tier-1 service covered by a single person: now 67%" in text
    assert "WE ARE HERE" in " ".join(p.svg_text)
    for stage in (
        "Unstable",
        "Order Taker",
        "Reliable Operator",
        "Trusted Advisor",
        "Trusted Partner",
    ):
        assert stage in " ".join(p.svg_text)


def test_focus_items_with_evidence_and_actions(page: tuple[str, Page]) -> None:
    _, p = page
    text = p.all_text
    assert "Mean time to restore (median)" in text
    assert "ERP: 9 of 14 P1/P2 incidents; 7 of those 9 resolved by one person" in text
    assert "Pair a second engineer with the person who resolves most ERP incidents." in text
    assert "5.2 h" in text and "14 P1/P2 incidents resolved" in text  # n with what it counts
    assert "Data to collect first" in text


def test_scorecard_statuses_are_never_zero(page: tuple[str, Page]) -> None:
    _, p = page
    header = p.row("Metric", 9)
    assert header == [
        "Metric",
        "Value",
        "Unit",
        "Target",
        "Floor",
        "Score",
        "n",
        "Status",
        "Evidence",
    ]
    repeat = p.row("Repeat incidents", 9)
    assert repeat[1] == "—" and repeat[5] == "—" and "too little data" in repeat[7]
    forecast = p.row("Forecast calibration", 9)
    assert forecast[5] == "—" and forecast[6] == "—" and forecast[7] == "no data"
    on_call = p.row("On-call pages", 9)
    assert on_call[5] == "—" and on_call[7] == "left out"
    projects = p.row("Projects tied to an objective", 9)
    assert projects[1] == "50 provisional" and projects[5] == "—" and projects[6] == "4"
    mttr = p.row("Mean time to restore", 9)
    assert mttr[1:4] == ["5.2", "h", "1"] and mttr[5] == "48.1" and mttr[6] == "14"
    assert "ERP: 9 of 14 P1/P2 incidents" in mttr[8]


def test_unmeasured_area_says_what_would_measure_it(page: tuple[str, Page]) -> None:
    _, p = page
    text = p.all_text
    assert "Not measured" in text
    assert (
        "Needs the project portfolio (sponsor, objective, approval and IT engagement dates)" in text
    )
    assert p.row("Planning & Optimization")[1:] == ["—"] * 4  # trend table


def test_trend_chart_and_table(page: tuple[str, Page]) -> None:
    html, p = page
    assert 'id="trend-title"' in html
    assert p.row("Area")[1:] == ["2025-Q4", "2026-Q1", "2026-Q2", "2026-Q3"]
    assert p.row("Trust Index")[1:] == ["20.0", "20.0", "40.0", "40.0"]
    assert p.row("Stage")[1:] == [
        "0 · Unstable",
        "0 · Unstable",
        "1 · Order Taker",
        "1 · Order Taker",
    ]


def test_perception_quadrant(page: tuple[str, Page]) -> None:
    _, p = page
    text = p.all_text
    assert "Perception against measurement" in text
    assert "Borrowed trust" in text
    assert "72.0" in text and "57.1" in text


def test_footer(page: tuple[str, Page]) -> None:
    _, p = page
    text = p.all_text
    assert (
        "Figures computed by trustmeter 0.1.0 from the workspace's records; n = sample size."
        in text
    )
    assert "24 Nov 2026, 21:40 UTC" in text
    assert "01 Jul 2026 to 30 Sep 2026" in text
    assert "Profile: mid." in text
    assert "None" not in text and "nan" not in text.split()


def test_accessibility_basics(page: tuple[str, Page]) -> None:
    _, p = page
    svgs = [a for t, a in p.tags if t == "svg"]
    titles = [t for t, _ in p.tags if t == "title"]
    assert len(svgs) >= 4
    assert all(a.get("role") == "img" and a.get("aria-labelledby") for a in svgs)
    assert len(titles) >= len(svgs) + 1  # the document's own <title> plus one per chart at least
    assert any(t == "th" and a.get("scope") == "col" for t, a in p.tags)
    assert ("html", {"lang": "en"}) in p.tags


# --------------------------------------------------------------------------- offline


def test_nothing_is_fetched(page: tuple[str, Page]) -> None:
    html, p = page
    lowered = html.lower()
    for needle in ("<script", "<link", "<img", "<iframe", "<object", "<embed", "@import", "url("):
        assert needle not in lowered, needle
    assert "http:" not in lowered and "https:" not in lowered and "//" not in lowered
    for tag, attrs in p.tags:
        for name in ("src", "href", "xlink:href", "action", "srcset", "poster", "data"):
            assert name not in attrs, (tag, name)


# --------------------------------------------------------------------------- escaping


def _poison(card: dict[str, Any]) -> dict[str, Any]:
    c = copy.deepcopy(card)
    c["workspace"]["name"] = EVIL
    c["stage"]["name"] = EVIL
    c["stage"]["ladder"][2]["name"] = EVIL
    c["stage"]["blocked_by"][0]["condition"] = EVIL
    c["stage"]["blocked_by"][0]["stage_name"] = EVIL
    for a in c["areas"]:
        a["name"] = f"{a['name']} {EVIL}"
        a["measure_with"] = EVIL
        for m in a["metrics"]:
            m["name"] = EVIL
            m["note"] = EVIL
            m["unit"] = EVIL if m["id"] == "mttr" else m["unit"]
            for e in m["evidence"]:
                e["name"] = EVIL
                e["detail"] = EVIL
    for item in c["focus"]["items"]:
        item["name"] = EVIL
        item["evidence"] = [{"kind": "service", "name": EVIL, "detail": EVIL, "value": 1}]
        item["actions"] = [EVIL]
        item["reason"] = EVIL
    c["focus"]["summary"] = EVIL
    c["perception"]["label"] = EVIL
    c["indices"]["predictability"]["metrics"] = {EVIL: 50.0}
    return c


def test_data_is_escaped_everywhere(card: dict[str, Any], trend: list[dict[str, Any]]) -> None:
    evil_card = _poison(card)
    html = render(evil_card, [*trend[:-1], evil_card], title=EVIL)
    assert "<script>alert(1)</script>" not in html
    assert "<script" not in html.lower()
    assert "\"&'" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    p = parse(html)
    assert not any(t == "script" for t, _ in p.tags)
    text = " ".join(p.text)
    assert text.count(EVIL) > 20  # it round-trips as text, in many places
    assert EVIL in " ".join(p.svg_text)  # including inside the SVG charts
    doc_title = html.split("<title>", 1)[1].split("</title>", 1)[0]
    assert "&lt;script&gt;" in doc_title


# --------------------------------------------------------------------------- edge cases


def test_empty_trend(card: dict[str, Any]) -> None:
    html = render(card, [])
    p = parse(html)
    text = p.all_text
    assert 'id="trend-title"' not in html
    assert "needs at least two periods of history" in text
    assert "first period on record" in text
    assert "No earlier period to compare with." in text
    assert p.row("Area")[1:] == ["2026-Q3"]


def test_trend_of_one_is_the_current_period(card: dict[str, Any]) -> None:
    html = render(card, [copy.deepcopy(card)])
    assert 'id="trend-title"' not in html
    assert parse(html).row("Area")[1:] == ["2026-Q3"]


def test_trend_without_current_and_out_of_order(
    card: dict[str, Any], trend: list[dict[str, Any]]
) -> None:
    shuffled = [trend[2], trend[0], trend[1]]  # current (trend[3]) not included
    p = parse(render(card, shuffled))
    assert p.row("Area")[1:] == ["2025-Q4", "2026-Q1", "2026-Q2", "2026-Q3"]
    assert "Since 2026-Q2" in p.all_text


def test_trend_ignores_periods_after_current(
    card: dict[str, Any], trend: list[dict[str, Any]]
) -> None:
    p = parse(render(trend[1], trend))
    assert p.row("Area")[1:] == ["2025-Q4", "2026-Q1"]


def test_null_indices_and_scores(card: dict[str, Any]) -> None:
    c = copy.deepcopy(card)
    c["trust_index"] = None
    c["predictability_index"] = None
    c["indices"] = {
        "trust": {"value": None, "uncapped": None, "ceiling": 40, "areas_measured": 0},
        "predictability": {"value": None, "metrics": {}},
    }
    for a in c["areas"]:
        a.update(score=None, status="not_measured", coverage=0.0, partial_score=None)
        for m in a["metrics"]:
            m.update(score=None, value=None, status="no_data")
    c["focus"]["items"] = []
    c["perception"] = None
    html = render(c, [])
    p = parse(html)
    text = p.all_text
    assert "No area could be scored yet." in text
    assert "Nothing it needs was scored" in text
    assert "None" not in text and "nan" not in text.lower().split()
    assert text.count("Not measured") >= 5
    assert "Perception against measurement" not in text
    assert "Data to collect first" in text


def test_stage_four_nothing_blocked(stage4_card: dict[str, Any]) -> None:
    p = parse(render(stage4_card, []))
    text = p.all_text
    assert "Trusted Partner" in text
    assert "Stage 4 of 4" in text
    assert "needs:" not in text
    assert "Every gate passes" in text
    assert "Nothing holds IT back" in text
    assert "Capped" not in text


def test_stage_zero_with_focus_but_no_ladder(card: dict[str, Any]) -> None:
    c = copy.deepcopy(card)
    c["stage"] = {"level": 0, "name": "Unstable", "ceiling": 20, "blocked_by": [], "ladder": []}
    p = parse(render(c, []))
    text = p.all_text
    assert "Stage 0 of 4" in text
    assert "Order Taker" in " ".join(p.svg_text)  # the default ladder is drawn


def _area(aid: str, metrics: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "id": aid,
        "name": "",
        "weight": 0,
        "score": None,
        "partial_score": None,
        "coverage": 0.0,
        "status": "not_measured",
        "measure_with": "",
        "metrics": metrics,
    }


def test_empty_and_degenerate_scorecards_do_not_crash() -> None:
    """What a scorecard's types allow but a real one never holds: empty names and lists, a
    stage missing from the ladder, an unknown status, NaN figures."""
    empty = make_empty_card()
    odd = make_empty_card()
    odd["areas"] = [_area("x", [])]
    odd["stage"]["blocked_by"] = [
        {
            "condition": "",
            "kind": "",
            "target": "",
            "required": 0,
            "periods": 1,
            "actual": None,
            "previous": None,
            "passed": False,
            "reason": "",
            "stage": 1,
            "stage_name": "",
        }
    ]
    odd["stage"]["ladder"] = [
        {"level": 0, "name": "", "ceiling": 0, "passed": False, "conditions": []}
    ]
    odd["focus"]["items"] = [
        {
            "metric": "",
            "name": "",
            "area": "",
            "status": "",
            "value": None,
            "unit": "",
            "target": 0,
            "score": None,
            "n": 0,
            "gap": None,
            "weight": 0,
            "priority": None,
            "reason": "",
            "evidence": [],
            "actions": [],
            "note": None,
        }
    ]
    weird = make_empty_card()
    m = metric("m", "", "stability", float("nan"), "", 0, 0, None, 0, status="weird")
    weird["areas"] = [_area("stability", [m])]
    nan = float("nan")
    unknown = make_empty_card()
    unknown["perception"] = {
        "quadrant": "order_taker",
        "label": "",
        "perceived": 10,
        "measured": nan,
        "threshold": 60,
    }
    unknown["trust_index"] = unknown["indices"]["trust"]["value"] = nan
    earlier = make_empty_card("2026-Q2", "2026-04-01", "2026-07-01")
    for current in (empty, odd, weird, unknown):
        html = render(current, [current, earlier])
        assert "<!DOCTYPE html>" in html
        text = parse(html).all_text
        assert "None" not in text and "nan" not in text.lower().split()


def test_perception_quadrants() -> None:
    for perceived, measured, quadrant, heading in (
        (80, 80, "trusted", "Trusted"),
        (30, 80, "invisible_improvement", "Invisible improvement"),
        (80, 30, "borrowed_trust", "Borrowed trust"),
        (30, 30, "order_taker", "Order taker"),
    ):
        card = make_empty_card()
        card["perception"] = {
            "quadrant": quadrant,
            "label": quadrant,
            "perceived": perceived,
            "measured": measured,
            "threshold": 60,
        }
        html = render(card, [])
        assert 'class="verdict' in html
        verdict = html.split('class="verdict', 1)[1].split(">", 1)[1].split("<", 1)[0]
        assert verdict == heading


def test_default_title(card: dict[str, Any]) -> None:
    html = render(card, [])
    assert "<title>IT trust report: acme-it, 2026-Q3</title>" in html


def test_a_condition_over_two_periods_shows_the_period_before(card: dict[str, Any]) -> None:
    text = parse(render(card, [])).all_text
    assert "now 49.3 (44.3 the period before)" in text
    c = copy.deepcopy(card)
    rungs = c["stage"]["ladder"]
    for b in [*c["stage"]["blocked_by"], *(x for r in rungs for x in r["conditions"])]:
        b["periods"] = 1  # this period alone: its "previous" is not part of the condition
    text = parse(render(c, [])).all_text
    assert "now 49.3" in text and "(44.3 the period before)" not in text


def test_long_history_keeps_the_axis_legible(card: dict[str, Any]) -> None:
    history = []
    for i in range(12):
        c = copy.deepcopy(card)
        year, q = 2023 + (i + 2) // 4, (i + 2) % 4 + 1
        end = f"{year}-{3 * q + 1:02d}-01" if q < 4 else f"{year + 1}-01-01"
        c["period"] = {"from": f"{year}-{3 * q - 2:02d}-01", "to": end, "label": f"{year}-Q{q}"}
        history.append(c)
    html = render(history[-1], history)
    p = parse(html)
    assert p.row("Stage")[0] == "Stage (level)"
    assert p.row("Stage")[1:] == ["1"] * 12
    # The area trend chart's axis (each metric's small multiple below has its own).
    trend = parse(html[html.index('id="trend-h"') : html.index('id="metric-trends-h"')])
    tick_labels = [t for t in trend.svg_text if t.strip().startswith("20") and "-Q" in t]
    assert 2 <= len(tick_labels) <= 8  # every k-th period is labelled on the axis


def test_title_that_names_the_workspace_is_not_repeated(card: dict[str, Any]) -> None:
    html = render(card, [], title="acme-it: IT trust report")
    assert "<title>acme-it: IT trust report, 2026-Q3</title>" in html
    assert "acme-it · IT leadership review" not in parse(html).all_text
