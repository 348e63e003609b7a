"""The report's "Does the order hold here?" section: what it shows, and imported text escaped."""

from __future__ import annotations

import copy
from typing import Any

from report_cards import as_card

from trustmeter.report import render_html
from trustmeter.report.ordering_view import ordering_view

SCRIPT = "<script>alert('x')</script>"


def analysis() -> dict[str, Any]:
    """An `ordering --json` result, as the core builds it, with a hostile campaign name."""
    periods = []
    for i, label in enumerate(["2025-Q3", "2025-Q4"]):
        periods.append(
            {
                "from": "2025-07-01",
                "to": "2025-10-01",
                "label": label,
                "scores": {"stability": 40.0 + 30 * i, "relationships": None},
                "stage": {"level": i, "name": "Order Taker" if i else "Unstable"},
                "default_stage": {"level": 0, "name": "Unstable"},
                "campaigns": [SCRIPT] if i else [],
            }
        )
    return {
        "verdict": "not_demonstrable",
        "summary": "The framework's order is not demonstrable yet on your history: 0 supports.",
        "needs": {"periods": 12, "campaigns": 6, "text": "about 6 more survey campaigns"},
        "pairs": [
            {
                "leader": "stability",
                "follower": "relationships",
                "lag_periods": None,
                "interval": None,
                "correlation": None,
                "pairs": 0,
                "observed_at": "survey campaigns",
                "verdict": "not_demonstrable",
                "reason": "not demonstrable yet: 1 change of relationships",
                "needs": {"text": "about 8 more survey campaigns"},
            },
            {
                "leader": "talent",
                "follower": "stability",
                "lag_periods": 2,
                "interval": [1, 3],
                "correlation": 0.71,
                "pairs": 12,
                "verdict": "supports",
                "reason": "talent changes first",
                "needs": None,
            },
        ],
        "gates": [
            {
                "area": "stability",
                "stage": 1,
                "stage_name": "Order Taker",
                "min": 40.0,
                "periods": 1,
                "crossed_period": "2025-Q3",
                "every_area": False,
            },
            {"area": "stability", "stage": 4, "min": 75.0, "every_area": True},
        ],
        "observed_at_surveys": {"relationships": "stakeholder"},
        "method_changes": [
            {
                "team": SCRIPT,
                "before": {
                    "method": "waterfall milestones",
                    "value": 68.8,
                    "n": 4,
                    "interval": [30.1, 91.9],
                },
                "after": {
                    "method": "scrum / agile sprints",
                    "value": 90.0,
                    "n": 6,
                    "interval": [62.2, 98.1],
                },
                "changed_in": "2024-Q3",
                "difference": 21.2,
                "interval": [-3.5, 45.0],
                "verdict": "too few commitments to compare",
                "delivery": {"text": "done 3 → 4 a period (+1, +0 to +2): more <delivered>"},
            }
        ],
        "same_framework": False,
        "periods": periods,
        "method": {"interval_level": 0.9},
    }


def _card_with_teams(card: dict[str, Any]) -> dict[str, Any]:
    card = copy.deepcopy(card)
    for area in card["areas"]:
        for m in area["metrics"]:
            if m["id"] == "commitment_reliability":
                m["breakdown"] = {
                    "by_kind": {
                        "sprint": {
                            "method": "scrum / agile sprints",
                            "value": 92.7,
                            "n": 3,
                            "interval": [55.0, 99.0],
                            "caveat": "only 3 commitments: too few to compare",
                        }
                    },
                    "by_team": {
                        SCRIPT: {"value": 92.7, "n": 3, "interval": [55.0, 99.0], "methods": {}}
                    },
                }
    return card


def test_section_shows_verdict_pairs_stages_side_by_side_and_escapes(card: dict[str, Any]) -> None:
    html = render_html(as_card(_card_with_teams(card)), [], ordering=analysis())
    assert 'id="ordering-h"' in html and "Does the order hold here?" in html
    assert "not demonstrable yet" in html and "about 6 more survey campaigns" in html
    assert "stability → relationships" in html and "talent → stability" in html
    assert "[1, 3]" in html and "0.71" in html
    # Both frameworks' stages, the default in bold where it differs.
    assert "Default framework" in html and "<b>0 Unstable</b>" in html
    assert "relationships *" in html  # observed only when a survey closes
    # The every-area gate is not listed per area; the named gate is.
    assert "≥ 40" in html and "≥ 75" not in html
    # Predictability by method and by team, with the caveat.
    assert "scrum / agile sprints" in html and "55.0–99.0" in html
    assert "too few to compare" in html
    # A team that changed method: before and after with n and intervals.
    assert "Teams that changed method" in html
    assert "waterfall milestones → scrum / agile sprints" in html
    assert "69 (n 4, 30.1–91.9)" in html and "90 (n 6, 62.2–98.1)" in html
    assert "21.2 (-3.5–45.0)" in html and "too few commitments to compare" in html
    # what the team delivered before and after, escaped like every text from the analysis
    assert "done 3 → 4 a period (+1, +0 to +2): more &lt;delivered&gt;" in html
    # Imported names (a campaign, teams) are text, never markup.
    assert SCRIPT not in html
    assert html.count("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;") >= 3


def test_no_section_without_analysis_or_predictability(card: dict[str, Any]) -> None:
    html = render_html(as_card(card), [])
    assert 'id="ordering-h"' not in html
    assert ordering_view(None, None) is None
    # Wrong types anywhere do not break the section.
    broken = ordering_view({"verdict": 3, "pairs": "x", "periods": [1], "gates": None}, None)
    assert broken is not None and broken["pairs"] == [] and broken["rows"][0]["cells"] == []
