"""The executive one-pager: plain words, the cap's reason, changes, focus and freshness.

Built from the demo's golden scorecard (tests/golden), the real figures a CEO would see, and
earlier periods derived from it by moving each area by a known amount.
"""

from __future__ import annotations

import copy
import json
import re
from datetime import date
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from trustmeter.report.onepager import OnePagerInput, freshness_view, render_onepager
from trustmeter.report.plain import plain_text, plain_value
from trustmeter.scorecard.model import Scorecard
from trustmeter.store.freshness import RecordsEnd

GOLDEN = Path(__file__).resolve().parents[1] / "golden" / "demo-scorecard-2026-Q3.json"
AREAS = [
    "Production Stability",
    "Delivery",
    "Planning & Optimization",
    "Fostering Key Relationships",
    "Talent Development",
]
FRESH = [
    RecordsEnd("incident", "Incidents", 1142, date(2026, 9, 30)),
    RecordsEnd("change", "Changes", 1073, date(2026, 9, 30)),
    RecordsEnd("survey_response", "Survey responses", 239, date(2026, 6, 10)),
]


class Text(HTMLParser):
    """The visible text of a page (style excluded)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._style = tag == "style"

    def handle_endtag(self, tag: str) -> None:
        self._style = False

    def handle_data(self, data: str) -> None:
        if not self._style:
            self.parts.append(data)

    @property
    def text(self) -> str:
        return " ".join(" ".join(self.parts).split())


def visible(html: str) -> str:
    p = Text()
    p.feed(html)
    return p.text


def golden() -> dict[str, Any]:
    d = json.loads(GOLDEN.read_text("utf-8"))
    d.setdefault("generated_at", "2026-10-01T00:00:00Z")
    return d


def shifted(d: dict[str, Any], label: str, start: str, end: str, by: float) -> dict[str, Any]:
    """The same card for another quarter, every area `by` points higher, index still capped."""
    c = copy.deepcopy(d)
    c["period"] = {"from": start, "to": end, "label": label}
    for a in c["areas"]:
        a["score"] = round(a["score"] + by, 3)
    c["indices"]["trust"]["uncapped"] = round(c["indices"]["trust"]["uncapped"] + by, 3)
    return c


@pytest.fixture
def cards() -> tuple[Scorecard, Scorecard, Scorecard]:
    d = golden()
    prev = shifted(d, "2026-Q2", "2026-04-01", "2026-07-01", 3.2)
    ago = shifted(d, "2025-Q3", "2025-07-01", "2025-10-01", -10.0)
    return Scorecard.from_dict(d), Scorecard.from_dict(prev), Scorecard.from_dict(ago)


@pytest.fixture
def page(cards: tuple[Scorecard, Scorecard, Scorecard]) -> str:
    cur, prev, ago = cards
    return visible(render_onepager(OnePagerInput(cur, prev, ago, FRESH, "Q3 on one page")))


def test_stage_and_what_holds_it_in_one_sentence(page: str) -> None:
    assert "Stage 1 of 4: Order Taker" in page
    assert (
        "Reliable Operator is out of reach while 1 of 4 tier-1 services has a single "
        "expert (SAP S/4HANA ERP)." in page
    )


def test_index_with_area_average_and_the_reason_for_the_cap(page: str) -> None:
    assert "Trust Index 40.0 / 100" in page
    assert "Average of the areas 81.9 / 100" in page
    assert (
        "Capped at 40 by the Order Taker ceiling: 1 of 4 tier-1 services has a single "
        "expert (SAP S/4HANA ERP)." in page
    )


def test_flat_index_does_not_hide_a_fall_of_the_areas(page: str) -> None:
    # The index is capped at 40 in both quarters; the areas fell 3.2: both are shown, labelled.
    assert "0.0 since 2026-Q2 (was 40.0)" in page
    assert "\u22123.2 since 2026-Q2 (was 85.1)" in page
    assert "+10.0 since 2025-Q3, a year before (was 71.9)" in page


def test_five_areas_with_change_since_last_period_and_a_year_before(page: str) -> None:
    assert "Change since 2026-Q2 Change since 2025-Q3" in page
    for name, score in zip(AREAS, ("82.8", "85.0", "90.4", "63.4", "87.9"), strict=True):
        assert re.search(
            rf"{re.escape(name)}( holds the stage back)? {score} \u22123\.2 \+10\.0", page
        ), name
    assert "Talent Development holds the stage back" in page


def test_three_focus_items_with_evidence(page: str) -> None:
    focus = page.split("Focus next", 1)[1]
    assert "Key-person coverage for Reliable Operator" in focus
    assert "Key-person coverage is 75 %; the target is 100 %." in focus
    assert "SAP S/4HANA ERP: 48 of 59 incidents resolved by one person" in focus
    assert "Stakeholder satisfaction for Trusted Advisor" in focus
    assert "Stakeholder satisfaction is 64 out of 100, below 70 out of 100." in focus
    assert "Operations: satisfaction 33/100 from 5 respondents" in focus
    assert "Fostering Key Relationships for Trusted Partner" in focus
    assert "Fostering Key Relationships scores 63.4, below 75." in focus
    assert focus.count(" for ") >= 3


def test_nothing_a_ceo_would_not_understand(
    cards: tuple[Scorecard, Scorecard, Scorecard],
) -> None:
    cur, prev, ago = cards
    html = render_onepager(OnePagerInput(cur, prev, ago, FRESH))
    text = visible(html)
    metric_ids = {m.id for m in cur.metrics()} | {a.id for a in cur.areas}
    words = set(re.findall(r"[a-z_]+", text))
    assert not {i for i in metric_ids if "_" in i} & words, "a metric id in the text"
    assert "--" not in text and "calibration" not in text.lower()
    assert not re.search(r"\d+\.\d{2,} (min|h)\b", text), "an unrounded duration"
    assert "E1017" not in text  # person pseudonyms stay in the full report
    assert "perceived: Trusted" in text  # perception says what it compares...
    assert "This compares reliability only" in text  # ...and that the stage needs more


@pytest.mark.parametrize(
    ("value", "unit", "expected"),
    [
        (4068.68, "min", "68 h"),
        (405.37, "min", "6.8 h"),
        (8.267, "min", "8 min"),
        (99.849, "%", "99.85 %"),
        (75.0, "%", "75 %"),
        (3.512, "%", "3.5 %"),
        (2.913, "h", "2.9 h"),
        (100.0, "h", "4 days"),
        (-9.677, "−100…100", "\u221210"),
        (32.1, "−100…100", "+32"),
        (67.742, "0–100", "68 out of 100"),
        (None, "%", "no data"),
    ],
)
def test_plain_values(value: float | None, unit: str, expected: str) -> None:
    assert plain_value(value, unit) == expected


def test_minutes_in_evidence_become_hours() -> None:
    assert plain_text("SAP: 4068.68 min down, 3 incidents") == "SAP: 68 h down, 3 incidents"
    assert plain_text("median 9.4 min") == "median 9.4 min"


def test_freshness_flags_a_record_kind_that_ends_early() -> None:
    rows = [
        RecordsEnd("incident", "Incidents", 10, date(2026, 9, 30)),
        RecordsEnd("engagement", "Business contacts", 10, date(2026, 8, 1)),
        RecordsEnd("change", "Changes", 0, None),
        RecordsEnd("survey_response", "Survey responses", 5, date(2026, 3, 1)),
        RecordsEnd("learning", "Training", 5, date(2026, 9, 23)),  # 7 days: not yet stale
    ]
    view = freshness_view(rows, date(2026, 9, 30))
    flags = {r["label"]: r["flag"] for r in view["rows"]}
    assert flags == {
        "Incidents": False,
        "Business contacts": True,
        "Changes": True,
        "Survey responses": False,  # surveys come in campaigns: a quiet quarter is normal
        "Training": False,
    }
    assert view["warning"] == (
        "The records of business contacts end more than 7 days before "
        "30 Sep 2026: figures that rest on them miss the end of the period."
    )
    assert freshness_view(rows[:1], date(2026, 9, 30))["warning"] == ""
    later = freshness_view(rows, date(2026, 10, 1))["warning"]  # training is now 8 days short
    assert later.startswith("The records of business contacts and training end")


def test_stale_data_is_warned_about_on_the_page(
    cards: tuple[Scorecard, Scorecard, Scorecard],
) -> None:
    cur, prev, ago = cards
    stale = [RecordsEnd("incident", "Incidents", 10, date(2026, 7, 31))]
    text = visible(render_onepager(OnePagerInput(cur, prev, ago, stale)))
    assert "Data ends early. The records of incidents end more than 7 days before" in text
    assert "31 Jul 2026 ⚠" in text


def test_text_from_the_data_is_escaped(cards: tuple[Scorecard, Scorecard, Scorecard]) -> None:
    d = golden()
    evil = "<script>alert(1)</script>"
    d["workspace"]["name"] = evil
    d["focus"]["items"][0]["evidence"][0]["detail"] = evil
    html = render_onepager(OnePagerInput(Scorecard.from_dict(d), None, None, FRESH, evil))
    assert "<script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_without_earlier_periods_there_is_no_change_column(
    cards: tuple[Scorecard, Scorecard, Scorecard],
) -> None:
    text = visible(render_onepager(OnePagerInput(cards[0], None, None, [])))
    assert "Change since" not in text and "Stage 1 of 4: Order Taker" in text


def test_top_of_the_ladder_and_an_empty_card() -> None:
    from report_cards import as_card, make_empty_card, make_stage4_card

    top = visible(render_onepager(OnePagerInput(as_card(make_stage4_card()), None, None, [])))
    assert "Stage 4 of 4: Trusted Partner" in top
    assert "Every gate passes: the task now is to hold that standard." in top
    assert "Not capped: the Trusted Partner ceiling is 100." in top
    empty = visible(render_onepager(OnePagerInput(as_card(make_empty_card()), None, None, [])))
    assert "Stage 0 of 4: Unstable" in empty
    assert "No area could be scored yet." in empty and "None" not in empty


def test_year_before() -> None:
    from trustmeter.periods import Period, containing
    from trustmeter.usecases.reporting import year_before

    q3 = containing(date(2026, 8, 1), "quarter")
    assert year_before(q3) == containing(date(2025, 8, 1), "quarter")
    assert year_before(containing(date(2026, 2, 10), "month")) == containing(
        date(2025, 2, 1), "month"
    )
    assert year_before(Period(date(2026, 1, 5), date(2026, 2, 5))) is None
