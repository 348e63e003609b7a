"""The survey shapes (metrics/survey_shapes.py), against answers computed by hand.

Each test declares its own metric in a test-only registry, as tests/metrics/test_shapes.py
does. They run on DuckDB and on PostgreSQL (the `store` fixture). min_group is 5 (the default
framework). The period is 2024-Q1; the campaigns close on 2024-03-10, except C0 (2023-Q4).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest

from trustmeter import surveys as sv
from trustmeter.metrics.model import Batch
from trustmeter.metrics.shapes import declare
from trustmeter.metrics.survey_shapes import Nps, SurveyMean
from trustmeter.periods import Period

Q1 = Period(date(2024, 1, 1), date(2024, 4, 1), "quarter")
Q4 = Period(date(2023, 10, 1), date(2024, 1, 1), "quarter")
EMPTY = Period(date(2023, 4, 1), date(2023, 7, 1), "quarter")  # before any campaign
A, B = "credibility_1", "credibility_2"  # stakeholder items on 1–7

ABOUT: dict[str, Any] = {
    "area": "relationships",
    "name": "Test survey metric",
    "description": "A survey metric declared by a test.",
    "kind": sv.STAKEHOLDER,
}


def credibility(**overrides: Any) -> SurveyMean:
    return SurveyMean(
        **{
            **ABOUT,
            "id": "credibility",
            "unit": "0–100",
            "items": (A, B),
            "on_0_100": True,
            "wording": "credibility {:.0f}/100",
            "by_item": "by_item",
            **overrides,
        }
    )


def recommend(**overrides: Any) -> Nps:
    return Nps(**{**ABOUT, "id": "recommend", "item": sv.NPS, "label": "NPS", **overrides})


def people(group: str, answers: list[dict[str, Any]], at: str = "") -> list[Any]:
    """One respondent per answer sheet, ids `<at><group>-<n>` (unique across campaigns)."""
    return [(f"{at}{group}-{i}", group, a) for i, a in enumerate(answers)]


def scaled(mean: float) -> float:
    """A 1–7 mean on 0–100."""
    return (mean - 1) / 6 * 100


@pytest.fixture
def credibility_campaign(respond: Callable[..., None]) -> None:
    # Ops: A 1..5, B 7 each: 50 over 10 answers (mean 5). Sales: A 7 each, no B: 42 over 6.
    # HR: A 1 and B 1 twice: 4 over 4, and only 2 respondents, below min_group.
    respond(
        "C1",
        people("Ops", [{A: v, B: 7} for v in (1, 2, 3, 4, 5)])
        + people("Sales", [{A: 7}] * 6)
        + people("HR", [{A: 1, B: 1}] * 2),
    )
    # 2023-Q4's campaign: 6 respondents, but only 3 answered A or B (the others the NPS).
    respond(
        "C0",
        people("Ops", [{A: 4}] * 3 + [{sv.NPS: 10}] * 3, at="C0-"),
        submitted="2023-12-01T09:00:00",
    )


def test_a_survey_mean(credibility_campaign: None, batch: Callable[..., Batch]) -> None:
    m = declare(credibility(), {})
    assert (m.needs, m.sample, m.direction) == (("survey_answer",), "groups", "higher")
    got = m.compute(batch([Q1, Q4, EMPTY]))
    q1 = got[Q1]
    # All answers: (15 + 35 + 42 + 4) / (10 + 6 + 4) = 96 / 20 = 4.8 on 1–7; n is 3 groups.
    assert (q1.value, q1.n) == (pytest.approx(scaled(4.8)), 3)
    assert q1.breakdown["respondents"] == 13
    # HR (2) is below min_group and alone hidden would be told from the total, so the
    # smallest shown group (Ops, 5) is pooled with it: (50 + 4) / 14, 7 respondents.
    assert q1.breakdown["by_group"] == {"Sales": {"value": pytest.approx(100.0), "respondents": 6}}
    assert q1.breakdown["other_groups"] == {
        "value": pytest.approx(scaled(54 / 14)),
        "respondents": 7,
        "groups": 2,
    }
    assert q1.breakdown["hidden_groups"] == 2
    # A: 13 respondents, (15 + 42 + 2) / 13; B: 7, (35 + 2) / 7; both on 0–100 as the figure.
    assert q1.breakdown["by_item"] == {
        A: pytest.approx(scaled(59 / 13)),
        B: pytest.approx(scaled(37 / 7)),
    }
    assert [(e.kind, e.name) for e in q1.evidence] == [
        ("business_unit", sv.OTHER_GROUPS),
        ("business_unit", "Sales"),
    ]
    assert q1.evidence[0].detail == "other groups (2 groups): credibility 48/100 from 7 respondents"
    assert "HR" not in repr(q1.breakdown) + repr([e.as_dict() for e in q1.evidence])
    # The drill-down: answers per item and value (20 in all), never a response id or group.
    assert q1.records is not None
    df = q1.records.execute()
    assert int(df["answers"].sum()) == 20 and not {"group", "response_id"} & set(df.columns)

    # 2023-Q4 picks C0 (6 respondents), where 3 answered the items: no figure.
    q4 = got[Q4]
    assert (q4.value, q4.n, q4.breakdown["campaign"]) == (None, 0, "C0")
    assert q4.note == "fewer than 5 respondents answered these items, so no figure is shown"
    # No campaign had closed by 2023-Q2's end.
    empty = got[EMPTY]
    assert (empty.value, empty.n, empty.breakdown) == (None, 0, {})
    assert empty.note is not None and "no stakeholder survey campaign" in empty.note


def test_a_survey_mean_on_its_own_scale_without_items(
    credibility_campaign: None, batch: Callable[..., Batch]
) -> None:
    q1 = credibility(on_0_100=False, by_item=None).compute(batch([Q1]))[Q1]
    assert q1.value == pytest.approx(4.8)
    assert q1.breakdown["by_group"]["Sales"]["value"] == pytest.approx(7.0)
    assert "by_item" not in q1.breakdown


def test_no_item_is_listed_when_one_was_answered_by_few(
    respond: Callable[..., None], batch: Callable[..., Batch]
) -> None:
    """B answered by 2 of 6: its mean (or the figure without it) would show their answers."""
    respond("C1", people("Ops", [{A: 5, B: 1}] * 2 + [{A: 5}] * 4))
    q1 = credibility(on_0_100=False).compute(batch([Q1]))[Q1]
    assert q1.value == pytest.approx((6 * 5 + 2 * 1) / 8)
    assert q1.breakdown["by_item"] == {}


def test_an_nps(respond: Callable[..., None], batch: Callable[..., Batch]) -> None:
    respond(
        "C1",
        # Ops: promoters 10, 9; passives 8, 7; detractor 0. Sales: P 4, D 6 and 5. HR: D 0.
        people("Ops", [{sv.NPS: v} for v in (10, 9, 8, 7, 0)])
        + people("Sales", [{sv.NPS: v} for v in (10, 10, 10, 10, 6, 5)])
        + people("HR", [{sv.NPS: 0}]),
    )
    m = declare(recommend(), {})
    assert m.unit == "−100…100"
    got = m.compute(batch([Q1, EMPTY]))
    q1 = got[Q1]
    # 6 promoters, 4 detractors of 12: (6 − 4) / 12.
    assert (q1.value, q1.n) == (pytest.approx(200 / 12), 3)
    assert {k: q1.breakdown[k] for k in ("promoters", "passives", "detractors")} == {
        "promoters": 6,
        "passives": 2,
        "detractors": 4,
    }
    assert q1.breakdown["by_group"] == {
        "Sales": {"value": pytest.approx(200 / 6), "respondents": 6}
    }
    # Ops pooled with HR (below min_group): P 2, D 2 of 6.
    assert q1.breakdown["other_groups"] == {"value": 0, "respondents": 6, "groups": 2}
    assert [e.detail for e in q1.evidence] == [
        "other groups (2 groups): NPS +0 from 6 respondents",
        "Sales: NPS +33 from 6 respondents",
    ]
    assert (got[EMPTY].value, got[EMPTY].n) == (None, 0)


def test_an_nps_of_the_team_survey_counts_teams(
    respond: Callable[..., None], batch: Callable[..., Batch]
) -> None:
    respond("T1", people("Beta", [{sv.ENPS: 10}] * 5), survey=sv.TEAM)
    # A stakeholder campaign is not read by a team metric.
    respond("S1", people("Ops", [{sv.NPS: 0}] * 5, at="S1-"))
    q1 = recommend(kind=sv.TEAM, item=sv.ENPS, label="eNPS").compute(batch([Q1]))[Q1]
    assert (q1.value, q1.n, q1.breakdown["campaign"]) == (100.0, 1, "T1")
    assert [(e.kind, e.detail) for e in q1.evidence] == [
        ("team", "Beta: eNPS +100 from 5 respondents")
    ]


def test_a_campaign_with_too_few_respondents_is_never_read(
    respond: Callable[..., None], batch: Callable[..., Batch]
) -> None:
    """4 respondents: the campaign is not picked at all (no campaign, not "too few")."""
    respond("C1", people("Ops", [{sv.NPS: 10}] * 4))
    q1 = recommend().compute(batch([Q1]))[Q1]
    assert (q1.value, q1.n, q1.breakdown) == (None, 0, {})
    assert q1.note is not None and "at least 5 respondents" in q1.note


def test_no_nps_when_too_few_answered_its_item(
    respond: Callable[..., None], batch: Callable[..., Batch]
) -> None:
    """6 respondents (the campaign is read), 4 of whom answered the NPS item: no figure."""
    respond("C1", people("Ops", [{sv.NPS: 10}] * 4 + [{A: 7}] * 2))
    q1 = recommend().compute(batch([Q1]))[Q1]
    assert (q1.value, q1.n, q1.breakdown["campaign"]) == (None, 0, "C1")
    assert q1.note == "fewer than 5 respondents answered these items, so no figure is shown"
    assert "promoters" not in q1.breakdown and q1.evidence == []


def test_a_declaration_names_numeric_items_of_its_survey() -> None:
    with pytest.raises(ValueError, match="different scales"):
        credibility(items=(A, sv.OVERALL_SATISFACTION))  # 1–7 and 1–10
    with pytest.raises(ValueError, match="ladder is not a numeric stakeholder survey item"):
        credibility(items=(sv.LADDER,))
    with pytest.raises(ValueError, match="0–10"):
        recommend(item=A)
    with pytest.raises(KeyError, match="unknown survey item 'enps' in the stakeholder survey"):
        recommend(item=sv.ENPS)  # a team survey item, in a stakeholder metric
