"""Soundness tests for the Fostering Key Relationships metrics and the survey catalogue.

Every test runs on DuckDB and on PostgreSQL (the `store` fixture), against answers computed
by hand and written beside each expected number. Never weaken these to make a refactor pass:
each one pins a way the figure could be silently wrong (or a group silently exposed).

The reporting period is 2024-Q1: 2024-01-01 00:00 up to 2024-04-01 00:00 (naive UTC).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from datetime import date, datetime, timedelta
from typing import Any

import pytest

from trustmeter import surveys as sv
from trustmeter.metrics import surveyed as sm
from trustmeter.metrics.model import Batch
from trustmeter.metrics.registry import REGISTRY, Context, Measurement, has_data
from trustmeter.metrics.relationships import (
    importance_gap,
    partner_perception,
    proactive_contact,
    relationship_nps,
    review_cadence,
    stakeholder_satisfaction,
    trust_components,
)
from trustmeter.periods import Period
from trustmeter.store import Store
from trustmeter.store.writer import insert_records

Q1 = Period(date(2024, 1, 1), date(2024, 4, 1), "quarter")
Q4 = Period(date(2023, 10, 1), date(2024, 1, 1), "quarter")


def group(name: str, values: list[Any], item: str, start: int = 0) -> list[Any]:
    """One respondent per value, ids `<name>-<n>`."""
    return [(f"{name}-{start + i}", name, {item: v}) for i, v in enumerate(values)]


def plain(m: Measurement) -> Measurement:
    """The figure as the scorecard's JSON carries it: breakdown and evidence must serialise."""
    json.dumps({"breakdown": m.breakdown, "evidence": [c.as_dict() for c in m.evidence]})
    return m


def nothing(m: Measurement) -> bool:
    return m.value is None and m.n == 0


def test_every_relationships_metric_is_registered() -> None:
    area = {m.id for m in REGISTRY.values() if m.area == "relationships"}
    assert area == {
        "stakeholder_satisfaction",
        "trust_components",
        "relationship_nps",
        "importance_gap",
        "review_cadence",
        "proactive_contact",
        "partner_perception",
    }
    for id in (
        "stakeholder_satisfaction",
        "trust_components",
        "relationship_nps",
        "partner_perception",
    ):
        assert REGISTRY[id].sample == "groups"
    assert REGISTRY["importance_gap"].sample == "services"


# -- the catalogue ----------------------------------------------------------------------------


def test_catalogue_has_every_item_of_both_surveys() -> None:
    stakeholder = [i.id for i in sv.items("stakeholder", [("svc-erp", "ERP")])]
    assert stakeholder == [
        "credibility_1",
        "credibility_2",
        "reliability_1",
        "reliability_2",
        "intimacy_1",
        "intimacy_2",
        "self_orientation_1",
        "self_orientation_2",
        "understands_needs",
        "executes_as_expected",
        "communicates_effectively",
        "overall_satisfaction",
        "nps",
        "importance:svc-erp",
        "satisfaction:svc-erp",
        "ladder",
        "involve_early",
        "comment",
    ]
    team = [i.id for i in sv.items("team")]
    assert team == [*(f"westrum_{n}" for n in range(1, 8)), "enps", "burnout", "comment"]
    assert sv.item("comment", "team").kind == "team"
    assert sv.item("comment").kind == "stakeholder"
    assert {i.component for i in sv.items("stakeholder")} == {
        "credibility",
        "reliability",
        "intimacy",
        "self_orientation",
        "relationship",
        None,
    }
    assert [i.id for i in sv.CATALOGUE if i.reverse] == ["self_orientation_1", "self_orientation_2"]
    assert sv.item("nps").text.startswith(
        "How likely are you to recommend working with IT to a colleague?"
    )
    assert "ERP" in sv.items("stakeholder", [("svc-erp", "ERP")])[13].text
    assert sv.item("importance:svc-erp").scale == (1, 10)
    assert sv.item("burnout").scale == (1, 5)
    with pytest.raises(KeyError, match="unknown survey item 'westrum_1' in the stakeholder"):
        sv.item("westrum_1", "stakeholder")
    with pytest.raises(KeyError, match="unknown survey item"):
        sv.item("importance:")


def test_validate_answers() -> None:
    assert sv.validate("credibility_1", "7") == 7.0
    assert sv.validate("nps", 0) == 0.0
    assert sv.validate("overall_satisfaction", 10.0) == 10.0
    assert sv.validate("ladder", "Trusted advisor") == "trusted_advisor"
    assert sv.validate("ladder", "strategic-partner") == "strategic_partner"
    assert sv.validate("involve_early", " Yes ") == "yes"
    assert sv.validate("comment", "  more demos please ") == "more demos please"
    with pytest.raises(ValueError, match=r"^a whole number from 1 to 7$"):
        sv.validate("credibility_1", 0)
    with pytest.raises(ValueError, match=r"^a whole number from 0 to 10$"):
        sv.validate("nps", "9.5")
    with pytest.raises(ValueError, match=r"^a whole number from 1 to 10$"):
        sv.validate("satisfaction:svc-erp", "great")
    with pytest.raises(ValueError, match=r"^one of order_taker, service_provider, trusted_advisor"):
        sv.validate("ladder", "vendor")
    with pytest.raises(ValueError, match="blank answers are skipped"):
        sv.validate("nps", " ")
    with pytest.raises(ValueError, match="unknown survey item 'nope'"):
        sv.validate("nope", 1)


def test_scale_0_100() -> None:
    assert sv.scale_0_100("credibility_1", 1) == 0
    assert sv.scale_0_100("credibility_1", 7) == 100
    assert sv.scale_0_100("credibility_1", 4) == 50
    assert sv.scale_0_100("overall_satisfaction", 5.5) == 50
    assert sv.scale_0_100("nps", 10) == 100
    with pytest.raises(ValueError):
        sv.scale_0_100("ladder", 1)


def test_anonymise_rules() -> None:
    f = sv.GroupFigure
    # Nobody small: all shown.
    a = sv.anonymise([f("A", 5, {}), f("B", 6, {})], 5)
    assert [g.name for g in a.shown] == ["A", "B"] and a.other is None and a.hidden == 0
    # Exactly one small group: the smallest shown group (A, 5) is hidden with it.
    a = sv.anonymise([f("A", 5, {}), f("B", 6, {}), f("C", 2, {})], 5)
    assert [g.name for g in a.shown] == ["B"]
    assert a.other is not None and a.other.respondents == 7 and a.other.groups == 2
    # Two small groups that pool to min_group: the pool is shown, nobody else hidden.
    a = sv.anonymise([f("A", 5, {}), f("B", 3, {}), f("C", 2, {})], 5)
    assert [g.name for g in a.shown] == ["A"] and a.other is not None and a.other.groups == 2
    # min_group is never below 3.
    a = sv.anonymise([f("A", 2, {}), f("B", 2, {})], 1)
    assert a.shown == [] and a.other is not None and a.hidden == 2


# -- stakeholder_satisfaction ---------------------------------------------------------------
# Finance (5): 5 6 7 8 9 -> sum 35      Sales (6): 10 10 9 9 8 8 -> sum 54, mean 9
# Ops (5): 3 4 5 4 4 -> sum 20, mean 4  HR (2): 1 2 -> sum 3 (below min_group 5)
# All 18: sum 112, mean 112/18; scaled (112/18 - 1)/9*100 = 94/162*100 = 58.02...


def _satisfaction_campaign(store: Store, respond: Callable[..., None]) -> None:
    answers = (
        group("Finance", [5, 6, 7, 8, 9], "overall_satisfaction")
        + group("Sales", [10, 10, 9, 9, 8, 8], "overall_satisfaction")
        + group("Ops", [3, 4, 5, 4, 4], "overall_satisfaction")
        + group("HR", [1, 2], "overall_satisfaction")
    )
    respond("2024-Q1", answers, submitted="2024-03-10T09:00:00")


def test_stakeholder_satisfaction(
    store: Store,
    ctx: Callable[..., Context],
    respond: Callable[..., None],
    wording: Callable[[str, Measurement], None],
) -> None:
    _satisfaction_campaign(store, respond=respond)
    # Closed after the period's end: ignored, although it is the latest.
    respond(
        "2024-Q2",
        group("Finance", [10] * 5, "overall_satisfaction", 100),
        submitted="2024-04-15T09:00:00",
    )
    # Older campaign: superseded by 2024-Q1.
    respond(
        "2023-Q4",
        group("Finance", [1] * 5, "overall_satisfaction", 200),
        submitted="2023-12-01T09:00:00",
    )
    m = plain(stakeholder_satisfaction(ctx()))
    assert m.value == pytest.approx(94 / 162 * 100)
    assert m.n == 4
    assert m.breakdown["campaign"] == "2024-Q1"
    assert m.breakdown["respondents"] == 18
    # HR is below min_group; exactly one group hidden, so the smallest shown group (Finance
    # and Ops have 5; Finance first by name) is hidden too. Pool: 35 + 3 = 38 over 7.
    assert set(m.breakdown["by_group"]) == {"Ops", "Sales"}
    assert m.breakdown["by_group"]["Sales"]["value"] == pytest.approx((9 - 1) / 9 * 100)
    assert m.breakdown["other_groups"] == {
        "value": pytest.approx((38 / 7 - 1) / 9 * 100),
        "respondents": 7,
        "groups": 2,
    }
    assert m.breakdown["hidden_groups"] == 2
    # Evidence: lowest first; neither HR nor Finance appears by name anywhere.
    assert [c.name for c in m.evidence] == ["Ops", "other groups", "Sales"]
    wording("stakeholder_satisfaction", m)
    shown = repr(m.breakdown) + repr([c.as_dict() for c in m.evidence])
    assert "HR" not in shown and "Finance" not in shown
    # The drill-down counts answers per item and value (18 in all): no answer sheets, no
    # response ids, no groups.
    assert m.records is not None
    df = m.records.execute()
    assert int(df["answers"].sum()) == 18 and len(df) == len(df.drop_duplicates(["value_num"]))
    assert not {"group", "response_id", "stakeholder"} & set(df.columns)

    # 2023-Q4 is the campaign for 2023-Q4 (it closed in the period): all 1s -> 0.
    m = plain(stakeholder_satisfaction(ctx(Q4)))
    assert m.breakdown["campaign"] == "2023-Q4" and m.value == 0 and m.n == 1


def test_duplicate_responses_count_once(
    store: Store, ctx: Callable[..., Context], respond: Callable[..., None]
) -> None:
    _satisfaction_campaign(store, respond=respond)
    # The same response ids again: once from the same source (an upsert), once from another
    # source (the same export imported twice under different names).
    again = group("Finance", [5, 6, 7, 8, 9], "overall_satisfaction")
    respond("2024-Q1", again)
    respond("2024-Q1", again, source="copy")
    m = plain(stakeholder_satisfaction(ctx()))
    assert m.breakdown["respondents"] == 18
    assert m.value == pytest.approx(94 / 162 * 100)


def test_campaign_still_open_at_period_end_is_not_used(
    store: Store, ctx: Callable[..., Context], respond: Callable[..., None]
) -> None:
    respond(
        "A",
        group("Sales", [10] * 5, "overall_satisfaction"),
        submitted="2024-02-01T09:00:00",
    )
    # Campaign B has an answer before the end and one after: it closed after the period.
    respond("B", group("Sales", [1], "overall_satisfaction", 10), submitted="2024-03-20T09:00:00")
    respond("B", group("Sales", [1], "overall_satisfaction", 11), submitted="2024-04-01T00:00:00")
    m = plain(stakeholder_satisfaction(ctx()))
    assert m.breakdown["campaign"] == "A" and m.value == 100


def test_a_campaign_below_min_group_is_never_picked_nor_shown(
    store: Store, ctx: Callable[..., Context], respond: Callable[..., None]
) -> None:
    # Two campaigns close the same day; the one with two respondents sorts last by name, so
    # it used to win the tie and show two people's answers as the figure.
    respond("A-big", group("Sales", [10] * 5, "overall_satisfaction"))
    respond("Z-small", group("Ops", [1] * 2, "overall_satisfaction", 10))
    m = plain(stakeholder_satisfaction(ctx()))
    assert m.breakdown["campaign"] == "A-big" and m.value == 100
    # Alone, the small campaign shows nothing at all.
    respond("2023-small", group("Ops", [1] * 4, "overall_satisfaction", 20),
            submitted="2023-11-10T09:00:00")  # fmt: skip
    m = plain(stakeholder_satisfaction(ctx(Q4)))
    assert nothing(m) and "at least 5 respondents" in (m.note or "")


def test_an_imported_campaign_is_read_once_the_day_of_its_last_answer_is_over(
    store: Store, ctx: Callable[..., Context], respond: Callable[..., None]
) -> None:
    # Answers dated today, asked for as of a year ahead: the campaign may still be collecting
    # answers today, so it is not read yet, whatever the period's end.
    today = date.today()
    respond(
        "live",
        group("Sales", [10] * 5, "overall_satisfaction"),
        submitted=f"{today.isoformat()}T00:00:00",
    )
    ahead = Period(today, today + timedelta(days=365), "custom")
    assert nothing(stakeholder_satisfaction(ctx(ahead)))
    # Its figures are readable from the start of the next day (checked without waiting).
    found = sm.campaigns(ctx(ahead), "stakeholder")
    assert [(f.name, f.readable_from) for f in found] == [
        ("live", datetime.combine(today + timedelta(days=1), datetime.min.time()))
    ]
    tomorrow = datetime.combine(today + timedelta(days=1), datetime.min.time())
    picked = sv.pick_campaign(found, ahead.end_ts, 5, tomorrow)
    assert picked is not None and picked.name == "live"
    assert sv.pick_campaign(found, ahead.end_ts, 6, tomorrow) is None  # 5 respondents < 6


def test_no_figure_when_fewer_than_min_group_answered_the_items(
    store: Store, ctx: Callable[..., Context], respond: Callable[..., None]
) -> None:
    # Six respondents, but only two answered overall satisfaction: their mean would be theirs.
    respond(
        "2024-Q1",
        group("Sales", [10, 9], "overall_satisfaction") + group("Sales", [8] * 4, "nps", 10),
    )
    m = plain(stakeholder_satisfaction(ctx()))
    assert nothing(m) and "fewer than 5 respondents" in (m.note or "")
    assert m.evidence == [] and "by_group" not in m.breakdown


def test_undated_campaigns_are_taken_by_name(
    store: Store, ctx: Callable[..., Context], respond: Callable[..., None]
) -> None:
    respond("2023-H2", group("Sales", [1] * 5, "overall_satisfaction"), submitted=None)
    respond("2024-H1", group("Sales", [10] * 5, "overall_satisfaction", 10), submitted=None)
    m = plain(stakeholder_satisfaction(ctx()))
    assert m.breakdown["campaign"] == "2024-H1" and m.breakdown["closed_at"] is None
    assert m.value == 100


def test_one_group_short_of_the_minimum_sample(
    store: Store, ctx: Callable[..., Context], respond: Callable[..., None], params: dict[str, Any]
) -> None:
    # Two groups where the minimum is three: n says 2 (the scorecard marks it insufficient).
    respond(
        "2024-Q1",
        group("Sales", [7] * 5, "overall_satisfaction")
        + group("Ops", [4] * 5, "overall_satisfaction"),
    )
    m = plain(stakeholder_satisfaction(ctx()))
    assert m.n == 2 == params["min_sample_groups"] - 1
    # Sales 7 and Ops 4, five each: mean 5.5 -> 50.
    assert m.value == pytest.approx(50)


def test_respondents_without_a_group_are_pooled(
    store: Store, ctx: Callable[..., Context], respond: Callable[..., None]
) -> None:
    respond(
        "2024-Q1",
        group("Sales", [10] * 5, "overall_satisfaction")
        + [(f"x{i}", None, {"overall_satisfaction": 1}) for i in range(4)]
        + [("x4", " ", {"overall_satisfaction": 1})],  # blank is no group
    )
    m = plain(stakeholder_satisfaction(ctx()))
    # 10s and 1s, five each: mean 5.5 -> 50; "(no group)" is a group of 5.
    assert m.value == pytest.approx(50) and m.n == 2
    assert set(m.breakdown["by_group"]) == {"Sales", "(no group)"}


# -- trust_components -------------------------------------------------------------------------
# Group A (5 respondents), each: cred 7,5  rel 4,4  int 1,7  self 2,2
#   cred mean 6 -> 5/6*100 = 83.33; rel 4 -> 50; int 4 -> 50; self 2 -> 16.67 -> 100-16.67 = 83.33
#   A = (83.33 + 50 + 50 + 83.33) / 4 = 66.67
# Group B (5), each: cred 1,1  rel 7,7  int 4,4  self 6,6
#   cred 0; rel 100; int 50; self 6 -> 83.33 -> reversed 16.67; B = 166.67 / 4 = 41.67
# All (10): cred 3.5 -> 41.67; rel 5.5 -> 75; int 4 -> 50; self 4 -> 50 -> reversed 50
#   value = (41.67 + 75 + 50 + 50) / 4 = 54.17


def test_trust_components(
    store: Store,
    ctx: Callable[..., Context],
    respond: Callable[..., None],
    wording: Callable[[str, Measurement], None],
) -> None:
    a = {
        "credibility_1": 7,
        "credibility_2": 5,
        "reliability_1": 4,
        "reliability_2": 4,
        "intimacy_1": 1,
        "intimacy_2": 7,
        "self_orientation_1": 2,
        "self_orientation_2": 2,
    }
    b = {
        "credibility_1": 1,
        "credibility_2": 1,
        "reliability_1": 7,
        "reliability_2": 7,
        "intimacy_1": 4,
        "intimacy_2": 4,
        "self_orientation_1": 6,
        "self_orientation_2": 6,
    }
    respond(
        "2024-Q1",
        [(f"a{i}", "A", a) for i in range(5)] + [(f"b{i}", "B", b) for i in range(5)],
    )
    # Answers off the 1–7 scale (a broken import) are not answers: group C adds nothing.
    respond("2024-Q1", [("c1", "C", {"credibility_1": 0, "reliability_1": 9})], raw=True)
    m = plain(trust_components(ctx()))
    assert m.breakdown["credibility"] == pytest.approx(2.5 / 6 * 100)
    assert m.breakdown["reliability"] == pytest.approx(75)
    assert m.breakdown["intimacy"] == pytest.approx(50)
    assert m.breakdown["self_orientation"] == pytest.approx(50)
    assert m.value == pytest.approx((2.5 / 6 * 100 + 75 + 50 + 50) / 4)
    assert m.n == 2 and m.breakdown["respondents"] == 10
    assert m.breakdown["by_group"]["A"]["value"] == pytest.approx((5 / 6 * 100 * 2 + 100) / 4)
    assert m.breakdown["by_group"]["B"]["value"] == pytest.approx((100 + 50 + 100 / 6) / 4)
    wording("trust_components", m)
    assert [c.name for c in m.evidence[1:]] == ["B", "A"]


def test_self_orientation_is_reverse_scored(
    store: Store, ctx: Callable[..., Context], respond: Callable[..., None]
) -> None:
    # Strong agreement that IT is self-oriented is the worst answer: 7 -> 0, 1 -> 100.
    respond(
        "2024-Q1",
        [(f"s{i}", "A", {"self_orientation_1": 7, "self_orientation_2": 7}) for i in range(5)],
    )
    m = plain(trust_components(ctx()))
    assert m.breakdown["self_orientation"] == 0
    assert m.breakdown["credibility"] is None
    assert m.value == 0 and m.note is not None and "credibility" in m.note


# -- relationship_nps -----------------------------------------------------------------------
# X: 6 7 8 9 10 -> promoters 9,10 (2), passives 7,8 (2), detractor 6 (1): NPS (2-1)/5 = +20
# Y: 0 5 7 9 10 -> promoters 2, passive 1, detractors 0,5 (2): NPS 0
# All 10: promoters 4, passives 3, detractors 3 -> (4-3)/10 = +10


def test_relationship_nps_boundaries(
    store: Store,
    ctx: Callable[..., Context],
    respond: Callable[..., None],
    wording: Callable[[str, Measurement], None],
) -> None:
    respond("2024-Q1", group("X", [6, 7, 8, 9, 10], "nps") + group("Y", [0, 5, 7, 9, 10], "nps"))
    m = plain(relationship_nps(ctx()))
    assert m.value == pytest.approx(10)
    assert m.n == 2
    assert (m.breakdown["promoters"], m.breakdown["passives"], m.breakdown["detractors"]) == (
        4,
        3,
        3,
    )
    assert m.breakdown["by_group"]["X"]["value"] == pytest.approx(20)
    assert m.breakdown["by_group"]["Y"]["value"] == pytest.approx(0)
    wording("relationship_nps", m)


def test_nps_of_all_detractors(
    store: Store, ctx: Callable[..., Context], respond: Callable[..., None]
) -> None:
    respond("2024-Q1", group("X", [6] * 5, "nps"))
    assert relationship_nps(ctx()).value == -100


def test_nps_of_a_campaign_where_nobody_answered_the_item(
    store: Store, ctx: Callable[..., Context], respond: Callable[..., None]
) -> None:
    # Five stakeholders rated the services but skipped "would you recommend": no figure, and
    # no promoters, passives or detractors (a results page asked for it and failed once).
    respond("2024-Q1", group("X", [7] * 5, "overall_satisfaction"))
    m = plain(relationship_nps(ctx()))
    assert m.value is None and m.n == 0
    assert "promoters" not in m.breakdown and "fewer than 5 respondents" in (m.note or "")


# -- partner_perception -----------------------------------------------------------------------
# P (5): trusted advisor x2 (one given as its label), strategic partner, order taker, service
# provider -> 3/5 = 60 %;  Q (5): order taker x5 -> 0 %;  all: 3/10 = 30 %


def test_partner_perception(
    store: Store,
    ctx: Callable[..., Context],
    respond: Callable[..., None],
    wording: Callable[[str, Measurement], None],
) -> None:
    ladder = [
        "trusted_advisor",
        "Trusted advisor",
        "strategic_partner",
        "order_taker",
        "service_provider",
    ]
    respond(
        "2024-Q1",
        group("P", ladder, "ladder")
        + group("Q", ["order_taker"] * 5, "ladder")
        + [
            ("e1", "P", {"involve_early": "yes"}),
            ("e2", "P", {"involve_early": "Yes"}),
            ("e3", "Q", {"involve_early": "no"}),
        ],
    )
    m = plain(partner_perception(ctx()))
    assert m.value == pytest.approx(30)
    assert m.n == 2
    assert m.breakdown["ladder"] == {
        "order_taker": 6,
        "service_provider": 1,
        "trusted_advisor": 2,
        "strategic_partner": 1,
    }
    # Three answered "would you involve IT early": fewer than min_group, so no counts.
    assert m.breakdown["involve_early"] is None
    assert m.breakdown["by_group"]["P"]["value"] == pytest.approx(60)
    respond("2024-Q1", [(f"e{i}", "Q", {"involve_early": "maybe"}) for i in (4, 5)])
    m = plain(partner_perception(ctx()))
    assert m.breakdown["involve_early"] == {"yes": 2, "maybe": 2, "no": 1}
    wording("partner_perception", m)


# -- importance_gap ---------------------------------------------------------------------------
# Five respondents who answer alike, 1–10 scaled (v-1)/9*100:
#   svc-crm 10/10 (100/100)   svc-erp 10/9 (100/88.9)   "mail service" 10/8 (100/77.8)
#   svc-hr 9/1 (88.9/0)       svc-wiki 3/3              svc-print 2/2
#   svc-vpn: importance from five, satisfaction from four others -> left out. n = 6.
# Top third: ceil(6/3) = 2 -> cut at the 2nd (importance 100); ties included: crm, erp, mail.
# Gaps (> 10 points below): erp (11.1), mail (22.2). svc-hr's gap is outside the top third.


def test_importance_gap(
    store: Store,
    ctx: Callable[..., Context],
    respond: Callable[..., None],
    wording: Callable[[str, Measurement], None],
) -> None:
    insert_records(
        store,
        "services",
        [{"id": "svc-erp", "name": "ERP"}, {"id": "svc-mail", "name": "Mail Service"}],
    )
    # A survey tool may name a service rather than give its id: "mail service" is svc-mail.
    pairs = {
        "svc-crm": (10, 10),
        "svc-erp": (10, 9),
        "mail service": (10, 8),
        "svc-hr": (9, 1),
        "svc-wiki": (3, 3),
        "svc-print": (2, 2),
    }
    answers: dict[str, Any] = {"importance:svc-vpn": 10}
    for s, (imp, sat) in pairs.items():
        answers[f"importance:{s}"] = imp
        answers[f"satisfaction:{s}"] = sat
    respond("2024-Q1", [(f"r{i}", "Finance", answers) for i in range(5)])
    # Four rate the VPN on both: fewer than min_group, so it is left out, not shown.
    four = [(f"v{i}", "Finance", {"satisfaction:svc-vpn": 1}) for i in range(4)]
    respond("2024-Q1", four)
    m = plain(importance_gap(ctx()))
    assert m.value == 2
    assert m.n == 6
    assert m.breakdown["top_third"] == ["mail service", "svc-crm", "svc-erp"]
    assert m.breakdown["gaps"] == ["mail service", "svc-erp"]
    assert m.breakdown["services"]["svc-hr"] == {
        "importance": pytest.approx(800 / 9),
        "satisfaction": 0,
    }
    wording("importance_gap", m)


# -- review_cadence -------------------------------------------------------------------------
# Window: 90 days before 2024-04-01 00:00, i.e. 2024-01-02 00:00 <= date < 2024-04-01 00:00.
#   alice (Finance): review 2024-01-02 00:00, exactly on the edge -> reviewed
#   frank (Finance): review 2023-11-22 -> 131 days before the end -> not reviewed
#   bob (Sales): planning 2024-01-01 23:00, an hour too early -> 90 days (floored)
#   carol (Ops): steering 2024-03-31 -> reviewed
#   dave (HR): a request only, and a review at 2024-04-01 00:00 (after the end) -> never
#   erin (Finance): not key -> not counted
# n = 5 key stakeholders; reviewed alice, carol -> 2/5 = 40 %


def test_review_cadence(
    store: Store, ctx: Callable[..., Context], wording: Callable[[str, Measurement], None]
) -> None:
    insert_records(
        store,
        "stakeholders",
        [
            {"id": "alice", "name": "Alice", "business_unit": "Finance", "key": True},
            {"id": "frank", "name": "Frank", "business_unit": "Finance", "key": True},
            {"id": "bob", "name": "Bob", "business_unit": "Sales", "key": True},
            {"id": "carol", "name": "Carol", "business_unit": "Ops", "key": True},
            {"id": "dave", "name": "Dave", "business_unit": "HR", "key": True},
            {"id": "erin", "name": "Erin", "business_unit": "Finance", "key": False},
        ],
    )
    insert_records(
        store,
        "engagements",
        [
            {"id": "e1", "date": "2024-01-02T00:00:00", "stakeholder": "alice", "kind": "review"},
            {"id": "e2", "date": "2023-11-22T00:00:00", "stakeholder": "frank", "kind": "review"},
            {"id": "e3", "date": "2024-01-01T23:00:00", "stakeholder": "bob", "kind": "planning"},
            {"id": "e4", "date": "2024-03-31T12:00:00", "stakeholder": "carol", "kind": "steering"},
            {"id": "e5", "date": "2024-03-01T12:00:00", "stakeholder": "dave", "kind": "request"},
            {"id": "e6", "date": "2024-04-01T00:00:00", "stakeholder": "dave", "kind": "review"},
            {"id": "e7", "date": "2024-03-01T12:00:00", "stakeholder": "erin", "kind": "review"},
        ],
    )
    m = plain(review_cadence(ctx()))
    assert m.value == pytest.approx(40)
    assert m.n == 5
    assert m.breakdown["days_since_review"] == {
        "alice": 90,
        "frank": 131,
        "bob": 90,
        "carol": 0,
        "dave": None,
    }
    wording("review_cadence", m)
    assert m.records is not None
    # The reviews behind the figure: key stakeholders' meetings in the window (not erin's).
    assert sorted(m.records.execute()["id"]) == ["e1", "e4"]


def test_review_cadence_matches_stakeholders_by_name(
    store: Store, ctx: Callable[..., Context]
) -> None:
    # The list has ids; the meeting export names people. Grace's review counts.
    insert_records(
        store,
        "stakeholders",
        [
            {"id": "s-9", "name": "Grace Hopper", "business_unit": "Finance", "key": True},
            {"id": "s-10", "name": "Alan Turing", "business_unit": "Sales", "key": True},
        ],
    )
    insert_records(
        store,
        "engagements",
        [
            {
                "id": "e1",
                "date": "2024-03-01T10:00:00",
                "stakeholder": "grace hopper",
                "kind": "review",
            }
        ],
    )
    m = plain(review_cadence(ctx()))
    assert m.value == 50 and m.n == 2
    # 2024-03-01 10:00 to 2024-04-01 00:00 is 30 days and 14 hours: 30 whole days.
    assert m.breakdown["days_since_review"] == {"s-9": 30, "s-10": None}


def test_review_cadence_one_short_of_minimum(store: Store, ctx: Callable[..., Context]) -> None:
    insert_records(
        store,
        "stakeholders",
        [
            {"id": "a", "name": "A", "business_unit": "Finance", "key": True},
            {"id": "b", "name": "B", "business_unit": "Sales", "key": True},
        ],
    )
    insert_records(
        store,
        "engagements",
        [
            {"id": "e1", "date": "2024-02-01T00:00:00", "stakeholder": "a", "kind": "review"},
        ],
    )
    m = plain(review_cadence(ctx()))
    assert m.n == 2 and m.value == 50


# -- proactive_contact ----------------------------------------------------------------------
# In the period (2024-01-01 00:00 <= date < 2024-04-01 00:00):
#   Finance: planning/business (proactive, on the start edge), request/it (proactive: IT
#            initiated), escalation/business, incident/business -> 2 of 4
#   Sales:   advice/business (proactive), review/business (not), request/business -> 1 of 3
#   no unit: request, initiator unknown -> 0 of 1
# Outside: planning at 2024-04-01 00:00. Total 3 of 8 = 37.5 %


def test_proactive_contact(
    store: Store, ctx: Callable[..., Context], wording: Callable[[str, Measurement], None]
) -> None:
    rows = [
        ("e1", "2024-01-01T00:00:00", "Finance", "planning", "business"),
        ("e2", "2024-02-01T10:00:00", "Finance", "request", "it"),
        ("e3", "2024-02-02T10:00:00", "Finance", "escalation", "business"),
        ("e4", "2024-02-03T10:00:00", "Finance", "incident", "business"),
        ("e5", "2024-02-04T10:00:00", "Sales", "advice", "business"),
        ("e6", "2024-02-05T10:00:00", "Sales", "review", "business"),
        ("e7", "2024-02-06T10:00:00", "Sales", "request", "business"),
        ("e8", "2024-03-31T23:59:59", None, "request", None),
        ("e9", "2024-04-01T00:00:00", "Sales", "planning", "it"),
    ]
    insert_records(
        store,
        "engagements",
        [
            {"id": i, "date": d, "business_unit": u, "kind": k, "initiated_by": by}
            for i, d, u, k, by in rows
        ],
    )
    # The same export again under another source name: each engagement still counts once.
    insert_records(
        store,
        "engagements",
        [
            {
                "id": "e3",
                "date": "2024-02-02T10:00:00",
                "business_unit": "Finance",
                "kind": "escalation",
                "initiated_by": "business",
            }
        ],
        source="copy",
    )
    m = plain(proactive_contact(ctx()))
    assert m.value == pytest.approx(37.5)
    assert m.n == 8
    assert m.breakdown["by_business_unit"]["Finance"] == {"engagements": 4, "proactive": 2}
    wording("proactive_contact", m)
    assert m.records is not None
    assert sorted(m.records.execute()["id"]) == [f"e{i}" for i in range(1, 9)]


# -- no data ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "fn",
    [
        stakeholder_satisfaction,
        trust_components,
        relationship_nps,
        partner_perception,
        importance_gap,
        review_cadence,
        proactive_contact,
    ],
)
def test_empty_period(
    store: Store, fn: Any, ctx: Callable[..., Context], respond: Callable[..., None]
) -> None:
    # Records exist, but none the metric can use for 2024-Q1: a team survey (wrong kind),
    # a stakeholder survey that closed after the period, and engagements after it.
    respond("T", group("Ops", [9] * 5, "enps"), survey="team")
    respond("later", group("Ops", [9] * 5, "nps", 10), submitted="2024-05-01T00:00:00")
    insert_records(
        store,
        "engagements",
        [{"id": "e1", "date": "2024-05-01T00:00:00", "kind": "review", "stakeholder": "s1"}],
    )
    assert nothing(fn(ctx()))


def test_needs_say_no_data_on_an_empty_store(store: Store, ctx: Callable[..., Context]) -> None:
    c = ctx()
    for m in REGISTRY.values():
        if m.area == "relationships":
            assert not has_data(c, m), m.id


# -- a batch of periods -----------------------------------------------------------------------
# Survey campaigns around the quarter edges (2023-Q3 .. 2024-Q3):
#   "2023-Q4" closes 2023-12-01: the campaign of 2023-Q4 (2023-Q3 has none yet).
#   "2024-Q1" closes 2024-03-10: the campaign of 2024-Q1.
#   "2024-Q2" collects from 2024-03-20 (in Q1) to 2024-04-15 (in Q2): still open at Q1's end,
#   so it is the campaign of 2024-Q2 only from Q2's end on, and of 2024-Q3 too (shared).
# Key stakeholders' reviews: alice on 2024-01-01 00:00 (Q1's start: unknown at Q4's end),
# bob on 2023-12-31 23:00 (Q4) and 2024-07-01 00:00 (Q3), carol never; erin is not key.
# Engagements on both sides of each edge (proactive_contact counts each in its own quarter).
Q3_23 = Period(date(2023, 7, 1), date(2023, 10, 1), "quarter")
Q2 = Period(date(2024, 4, 1), date(2024, 7, 1), "quarter")
Q3 = Period(date(2024, 7, 1), date(2024, 10, 1), "quarter")
QUARTERS = (Q3_23, Q4, Q1, Q2, Q3)
# Overlapping custom periods take the range-join path instead of calendar buckets.
CUSTOM = (
    Period(date(2023, 11, 15), date(2024, 1, 1), "custom"),
    Period(date(2023, 12, 1), date(2024, 3, 20), "custom"),
    Period(date(2024, 3, 10), date(2024, 4, 16), "custom"),
    Period(date(2024, 1, 1), date(2024, 3, 11), "custom"),
)

_STAKEHOLDER_ANSWERS = {
    "overall_satisfaction": 7,
    "nps": 9,
    "credibility_1": 6,
    "reliability_1": 3,
    "intimacy_1": 5,
    "self_orientation_1": 2,
    "ladder": "trusted_advisor",
    "involve_early": "yes",
    "importance:svc-erp": 9,
    "satisfaction:svc-erp": 4,
    "importance:svc-crm": 6,
    "satisfaction:svc-crm": 6,
}


def _answers(base: int, shift: int, groups: Sequence[str], count: int) -> list[Any]:
    """`count` respondents per group with the stakeholder answers moved by `shift` (kept on
    their scales), ids from `base`."""
    out = []
    for g in groups:
        for i in range(count):
            ans: dict[str, Any] = {}
            for it, v in _STAKEHOLDER_ANSWERS.items():
                if isinstance(v, int):
                    lo, hi = sv.item(it).scale or (0, 10)
                    v = min(hi, max(lo, v + shift - i % 3))
                ans[it] = v
            if shift < 0:
                ans["ladder"], ans["involve_early"] = "order_taker", "no"
            out.append((f"r{base}-{g}-{i}", g, ans))
    return out


def _edge_data(store: Store, respond: Callable[..., None]) -> None:
    respond("2023-Q4", _answers(0, -2, ["Sales", "Ops"], 5), submitted="2023-12-01T09:00")
    respond("2024-Q1", _answers(1, 1, ["Sales", "Ops", "HR"], 4), submitted="2024-03-10T09:00")
    respond("2024-Q2", _answers(2, 0, ["Sales"], 3), submitted="2024-03-20T09:00")
    respond("2024-Q2", _answers(3, -1, ["Ops"], 6), submitted="2024-04-15T09:00")
    for n, (submitted, v) in enumerate([("2023-12-01T09:00", 3), ("2024-04-15T09:00", 9)]):
        respond(
            f"team-{n}",
            [(f"t{n}-{i}", "Dev", {"enps": v, "westrum_1": 1 + v // 2}) for i in range(5)],
            submitted=submitted,
            survey="team",
        )
    insert_records(
        store,
        "services",
        [{"id": "svc-erp", "name": "ERP"}, {"id": "svc-crm", "name": "CRM"}],
    )
    insert_records(
        store,
        "stakeholders",
        [
            {"id": "alice", "name": "Alice", "business_unit": "Finance", "key": True},
            {"id": "bob", "name": "Bob", "business_unit": "Sales", "key": True},
            {"id": "carol", "name": "Carol", "business_unit": "Sales", "key": True},
            {"id": "erin", "name": "Erin", "business_unit": "Ops", "key": False},
        ],
    )
    rows = [
        ("e1", "2024-01-01T00:00:00", "alice", "Finance", "review", "business"),
        ("e2", "2023-12-31T23:00:00", "Bob", "Sales", "planning", "it"),
        ("e3", "2024-07-01T00:00:00", "bob", "Sales", "steering", "business"),
        ("e4", "2023-12-31T23:59:59", "erin", "Ops", "review", "business"),
        ("e5", "2024-03-31T23:59:59", "carol", "Sales", "request", "business"),
        ("e6", "2024-04-01T00:00:00", "carol", None, "advice", None),
        ("e7", "2023-09-30T12:00:00", "alice", "Finance", "escalation", "it"),
        ("e8", "2023-10-01T00:00:00", "alice", "Finance", None, "business"),
    ]
    insert_records(
        store,
        "engagements",
        [
            {
                "id": i,
                "date": d,
                "stakeholder": s,
                "business_unit": u,
                "kind": k,
                "initiated_by": by,
            }
            for i, d, s, u, k, by in rows
        ],
    )


def _seen(m: Measurement) -> tuple[Any, ...]:
    return (m.value, m.n, m.breakdown, [c.as_dict() for c in m.evidence], m.note)


def _record_rows(m: Measurement) -> list[tuple[Any, ...]]:
    if m.records is None:
        return []
    df = m.records.execute()
    return sorted(tuple(str(v) for v in r) for r in df.itertuples(index=False))


@pytest.mark.slow
@pytest.mark.parametrize("periods", [QUARTERS, CUSTOM], ids=["quarters", "custom"])
def test_a_batch_of_periods_equals_each_period_alone(
    store: Store,
    periods: tuple[Period, ...],
    ctx: Callable[..., Context],
    batch: Callable[..., Batch],
    respond: Callable[..., None],
) -> None:
    from trustmeter.metrics.catalogue import all_metrics

    _edge_data(store, respond=respond)
    reg = all_metrics()
    ids = [
        "stakeholder_satisfaction",
        "trust_components",
        "relationship_nps",
        "partner_perception",
        "importance_gap",
        "review_cadence",
        "proactive_contact",
        "enps",
        "westrum_culture",
    ]
    b = batch(periods)
    for id in ids:
        together = reg[id].compute(b)
        assert list(together) == list(periods)
        for p in periods:
            alone = reg[id](ctx(p))
            assert _seen(together[p]) == _seen(alone), (id, p.label)
            assert _record_rows(together[p]) == _record_rows(alone), (id, p.label)


def test_a_batch_reads_all_its_campaigns_in_one_query_per_aggregate(
    store: Store,
    batch: Callable[..., Batch],
    respond: Callable[..., None],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The periods of a batch pick three campaigns; each of the metric's aggregates is one
    query for all three, not one per campaign (the figures are checked above)."""
    from trustmeter.metrics import surveyed

    _edge_data(store, respond=respond)
    queries: list[str] = []
    fetch = surveyed.fetch

    def counted(expr: Any) -> Any:
        queries.append("query")
        return fetch(expr)

    monkeypatch.setattr(surveyed, "fetch", counted)
    sat = stakeholder_satisfaction.compute(batch(QUARTERS))
    picked = {sat[p].breakdown.get("campaign") for p in QUARTERS} - {None}
    assert len(picked) == 3
    assert len(queries) == 1
    queries.clear()
    partner_perception.compute(batch(QUARTERS))
    assert len(queries) == 2  # the ladder per group, and "involve IT early"


def test_a_batch_picks_each_periods_campaign_and_reads_each_end(
    store: Store, batch: Callable[..., Batch], respond: Callable[..., None]
) -> None:

    _edge_data(store, respond=respond)
    b = batch(QUARTERS)
    sat = stakeholder_satisfaction.compute(b)
    assert nothing(sat[Q3_23]) and sat[Q3_23].note is not None
    assert [sat[p].breakdown["campaign"] for p in (Q4, Q1, Q2, Q3)] == [
        "2023-Q4",
        "2024-Q1",
        "2024-Q2",
        "2024-Q2",
    ]
    # Q2 and Q3 share a campaign: the same figure, but not the same objects.
    assert _seen(sat[Q2]) == _seen(sat[Q3])
    assert sat[Q2].breakdown is not sat[Q3].breakdown
    # (Sales' 3 respondents are too few, so Ops joins them in "other groups".)
    assert sat[Q2].breakdown["other_groups"]["respondents"] == 9
    sat[Q3].breakdown["other_groups"]["respondents"] = 0
    sat[Q3].evidence.clear()
    assert sat[Q2].breakdown["other_groups"]["respondents"] == 9 and sat[Q2].evidence
    assert _record_rows(sat[Q2]) == _record_rows(sat[Q3]) != []
    assert sat[Q2].breakdown["respondents"] == 9
    rc = review_cadence.compute(b)
    # End of 2023-Q4: bob reviewed an hour before (0 days); alice's review had not happened.
    assert rc[Q4].breakdown["days_since_review"] == {"alice": None, "bob": 0, "carol": None}
    # End of 2024-Q1 (91 days long): alice and bob 91 days, one past the 90-day window.
    assert rc[Q1].breakdown["days_since_review"] == {"alice": 91, "bob": 91, "carol": None}
    assert rc[Q1].value == 0
    # End of 2024-Q2: bob's meeting on 1 July 00:00 had not happened yet.
    assert rc[Q2].breakdown["days_since_review"]["bob"] == 182
    # End of 2024-Q3: bob's 1 July steering meeting, 92 days before.
    assert rc[Q3].breakdown["days_since_review"]["bob"] == 92
    assert nothing(rc[Q3_23]) is False and rc[Q3_23].value == 0
    pc = proactive_contact.compute(b)
    assert [pc[p].n for p in QUARTERS] == [1, 3, 2, 1, 1]
    # 2023-Q4: e8 (no kind), e2 (IT initiated planning), e4; 2024-Q2: e6 advice, no unit.
    assert pc[Q4].breakdown["by_kind"] == {"unknown": 1, "planning": 1, "review": 1}
    assert pc[Q2].breakdown["by_business_unit"] == {
        "(no business unit)": {"engagements": 1, "proactive": 1}
    }
