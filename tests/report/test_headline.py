"""The full report's headline never contradicts itself, and each figure says what it is against.

The demo's real case (issue 15): the index is capped at 40 in two quarters running while the
areas' average falls 3.2; the perception quadrant says "trusted" beside "Order Taker".
"""

from __future__ import annotations

import re

from test_onepager import golden, shifted, visible

from trustmeter.report import render_html
from trustmeter.scorecard.model import Scorecard


def headline() -> str:
    cur = golden()
    prev = shifted(cur, "2026-Q2", "2026-04-01", "2026-07-01", 3.2)
    html = render_html(Scorecard.from_dict(cur), [Scorecard.from_dict(prev)])
    text = visible(html)
    text = text.replace(" ,", ",")  # text nodes are joined with spaces
    return text.split("Where we stand on the ladder", 1)[0], text


def test_change_tile_shows_index_and_area_average_both_labelled() -> None:
    head, _ = headline()
    tile = head.split("Change since 2026-Q2", 1)[1]
    assert re.match(
        r"\s*Trust Index ▶\u202f?\s*0\.0 Average of the areas ▼\u202f?\s*\u22123\.2", tile
    )
    assert "Index 40.0 → 40.0; areas 85.1 → 81.9" in tile


def test_capped_index_and_stage_say_what_holds_them() -> None:
    head, _ = headline()
    reason = "1 of 4 tier-1 services has a single expert (SAP S/4HANA ERP)"
    assert f"Next stage: Reliable Operator, out of reach while {reason}" in head
    assert "Capped at 40 by the Order Taker ceiling" in head
    assert f"cannot run ahead of the stage: {reason}." in head
    assert "key_person_coverage" not in head


def test_perception_says_it_compares_reliability_only() -> None:
    _, text = headline()
    section = text.split("Perception against measurement", 1)[1]
    assert section.lstrip().startswith("high or low at 60")
    assert "Reliability, perceived against measured Trusted" in section
    assert "Measured against: stakeholders rate IT's reliability at 69.9" in section
    assert "This compares reliability only: the stage (Order Taker) also needs" in section
