"""Soundness tests for the Talent Development metrics, against answers computed by hand.

Every test runs on DuckDB and on PostgreSQL (the `store` fixture). The hand computation is
written beside each expected number. Never weaken these to make a refactor pass: each one pins
a way the figure could be silently wrong (or a team silently exposed).

The reporting period is 2024-Q1 (91 days: 2024-01-01 up to 2024-04-01) unless a test says
otherwise. A person is on the books from started_on to left_on, both days included.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace
from datetime import date
from functools import partial
from typing import Any

import pytest

from trustmeter.metrics.model import Batch
from trustmeter.metrics.registry import REGISTRY, Context, Measurement, has_data
from trustmeter.metrics.talent import (
    enps,
    key_person_coverage,
    on_call_load,
    regretted_attrition,
    training_hours,
    westrum_culture,
)
from trustmeter.periods import Period
from trustmeter.store import Store
from trustmeter.store.writer import insert_records

Q1 = Period(date(2024, 1, 1), date(2024, 4, 1), "quarter")
JAN = Period(date(2024, 1, 1), date(2024, 2, 1), "month")


@pytest.fixture
def respond(respond: Callable[..., None]) -> Callable[..., None]:
    """The shared survey writer (tests/metrics/conftest.py), for the team survey by default,
    submitted on 1 February 2024."""
    return partial(respond, submitted="2024-02-01T09:00:00", survey="team")


def plain(m: Measurement) -> Measurement:
    """The figure as the scorecard's JSON carries it: breakdown and evidence must serialise."""
    json.dumps({"breakdown": m.breakdown, "evidence": [c.as_dict() for c in m.evidence]})
    return m


def nothing(m: Measurement) -> bool:
    return m.value is None and m.n == 0


def test_every_talent_metric_is_registered() -> None:
    area = {m.id for m in REGISTRY.values() if m.area == "talent"}
    assert area == {
        "regretted_attrition",
        "enps",
        "westrum_culture",
        "key_person_coverage",
        "training_hours",
        "on_call_load",
    }


# -- regretted_attrition --------------------------------------------------------------------
# Window: 365 days up to the period's end: 2023-04-02 .. 2024-03-31 (both included).
#   p1  2020-01-01 .. -            365 days
#   p2  left 2023-04-02, voluntary, regretted   (first day of the window: a leaver)   1 day
#   p3  left 2023-04-01, voluntary, regretted   (the day before: not a leaver)        0
#   p4  left 2024-03-31, voluntary, regretted   (last day of the window: a leaver)  365
#   p5  left 2024-04-01, voluntary, regretted   (after the period: not yet)         365
#   p6  left 2023-10-01, involuntary, regretted (not voluntary)  Apr 2..Oct 1:      183
#   p7  started 2023-10-02                       Oct 2..Mar 31:                      182
#   p8  left 2023-06-30, voluntary, not regretted   Apr 2..Jun 30:                   90
#   p9  started 2024-04-01 (after the end)                                            0
#   p10 left 2023-12-31, voluntary, regretted unknown   Apr 2..Dec 31:              274
# person-days 1825 -> average headcount 1825 / 365 = 5.0
# regretted voluntary leavers: p2, p4 -> 2 / 5 = 40 %; n = 8 people on the books


def test_regretted_attrition_with_window_edges(
    store: Store, ctx: Callable[..., Context], wording: Callable[[str, Measurement], None]
) -> None:
    def p(id: str, **kw: Any) -> dict[str, Any]:
        return {"id": id, "started_on": "2020-01-01", **kw}

    vr = {"leave_kind": "voluntary", "regretted": True}
    insert_records(
        store,
        "people",
        [
            p("p1", team="Apps"),
            p("p2", left_on="2023-04-02", team="Platform", **vr),
            p("p3", left_on="2023-04-01", team="Platform", **vr),
            p("p4", left_on="2024-03-31", team="Apps", **vr),
            p("p5", left_on="2024-04-01", team="Apps", **vr),
            p("p6", left_on="2023-10-01", leave_kind="involuntary", regretted=True),
            p("p7", started_on="2023-10-02"),
            p("p8", left_on="2023-06-30", leave_kind="voluntary", regretted=False),
            p("p9", started_on="2024-04-01"),
            p("p10", left_on="2023-12-31", leave_kind="voluntary"),
        ],
    )
    # A resolver named on an incident becomes a stub person: not on the people list.
    insert_records(
        store, "incidents", [{"id": "i1", "opened_at": "2024-01-05T10:00:00", "resolver": "ghost"}]
    )
    m = plain(regretted_attrition(ctx()))
    assert m.value == pytest.approx(40)
    assert m.n == 8
    assert m.breakdown["average_headcount"] == pytest.approx(5.0)
    assert m.breakdown["regretted_leavers"] == 2
    assert m.breakdown["voluntary_leavers"] == 4
    assert m.breakdown["leavers_with_unknown_regret"] == 1
    assert m.breakdown["window"] == {"from": "2023-04-02", "to": "2024-03-31"}
    assert m.note is not None and "1 voluntary leavers" in m.note
    wording("regretted_attrition", m)
    assert m.records is not None
    assert sorted(m.records.execute()["id"]) == ["p10", "p2", "p4", "p8"]


def test_regretted_attrition_with_only_stubs(store: Store, ctx: Callable[..., Context]) -> None:
    insert_records(
        store, "incidents", [{"id": "i1", "opened_at": "2024-01-05T10:00:00", "resolver": "ghost"}]
    )
    assert nothing(regretted_attrition(ctx()))


# -- enps and westrum_culture -----------------------------------------------------------------
# Team survey T1 (closed 2024-02-01):
#   Alpha (5): eNPS 10 9 8 7 6 -> P2 D1;   every Westrum statement 5 (35 answers, sum 175)
#   Beta  (5): eNPS 10 10 10 3 2 -> P3 D2; every statement 7, one respondent skipped
#              westrum_7 (34 answers, sum 238)
#   Gamma (1): eNPS 0 -> D1;               every statement 1 (7 answers, sum 7)
# eNPS: 11 answers, P5 D4 -> (5-4)/11*100 = 9.09
# Westrum: 420 / 76 = 5.526
# Gamma is the only small group, so Alpha (the smaller shown group; 5 = 5, first by name)
# is hidden with it: "other groups" = Alpha + Gamma (6 respondents).


def _team_survey(store: Store, respond: Callable[..., None]) -> None:
    w = {f"westrum_{i}": None for i in range(1, 8)}
    rows: list[tuple[str, str | None, dict[str, Any]]] = []
    for i, e in enumerate([10, 9, 8, 7, 6]):
        rows.append((f"a{i}", "Alpha", {**dict.fromkeys(w, 5), "enps": e}))
    for i, e in enumerate([10, 10, 10, 3, 2]):
        ans = {**dict.fromkeys(w, 7), "enps": e}
        if i == 0:
            del ans["westrum_7"]
        rows.append((f"b{i}", "Beta", ans))
    rows.append(("g0", "Gamma", {**dict.fromkeys(w, 1), "enps": 0, "comment": "tired"}))
    respond("T1", rows)
    # A later campaign (after the period) and a stakeholder survey: both ignored.
    respond(
        "T2",
        [(f"z{i}", "Alpha", {"enps": 0, "westrum_1": 1}) for i in range(5)],
        submitted="2024-04-10T00:00:00",
    )
    respond("S1", [(f"s{i}", "Alpha", {"nps": 10}) for i in range(5)], survey="stakeholder")


def test_enps(
    store: Store,
    ctx: Callable[..., Context],
    respond: Callable[..., None],
    wording: Callable[[str, Measurement], None],
) -> None:
    _team_survey(store, respond=respond)
    m = plain(enps(ctx()))
    assert m.value == pytest.approx(100 / 11)
    assert m.n == 3
    assert (m.breakdown["promoters"], m.breakdown["passives"], m.breakdown["detractors"]) == (
        5,
        2,
        4,
    )
    assert m.breakdown["campaign"] == "T1"
    assert set(m.breakdown["by_group"]) == {"Beta"}
    assert m.breakdown["by_group"]["Beta"]["value"] == pytest.approx(20)
    # Alpha + Gamma: P2, D1 + D1 over 6 -> 0
    assert m.breakdown["other_groups"] == {"value": 0, "respondents": 6, "groups": 2}
    wording("enps", m)
    assert all(c.kind == "team" for c in m.evidence)
    shown = repr(m.breakdown) + repr([c.as_dict() for c in m.evidence])
    assert "Gamma" not in shown and "Alpha" not in shown


def test_westrum_culture(
    store: Store,
    ctx: Callable[..., Context],
    respond: Callable[..., None],
    wording: Callable[[str, Measurement], None],
) -> None:
    _team_survey(store, respond=respond)
    m = plain(westrum_culture(ctx()))
    assert m.value == pytest.approx(420 / 76)
    assert m.n == 3
    assert m.breakdown["respondents"] == 11
    assert m.breakdown["by_group"] == {"Beta": {"value": 7, "respondents": 5}}
    # Alpha + Gamma: (175 + 7) / 42
    assert m.breakdown["other_groups"]["value"] == pytest.approx(182 / 42)
    # westrum_7: Alpha 5 x5, Beta 7 x4, Gamma 1 -> 54 / 10
    assert m.breakdown["by_statement"]["westrum_7"] == pytest.approx(5.4)
    wording("westrum_culture", m)


def test_westrum_statements_hide_together_when_one_is_answered_by_few(
    store: Store, ctx: Callable[..., Context], respond: Callable[..., None]
) -> None:
    """westrum_7 answered by 2 of 6: its mean would show two people's answers, and the culture
    figure minus the six other statements would too, so no statement is listed."""
    rows = []
    for i in range(6):
        ans: dict[str, Any] = {f"westrum_{k}": 5 for k in range(1, 7)}
        if i < 2:
            ans["westrum_7"] = 1
        rows.append((f"a{i}", "Alpha", ans))
    respond("T1", rows)
    m = plain(westrum_culture(ctx()))
    assert m.value == pytest.approx((36 * 5 + 2 * 1) / 38)
    assert m.breakdown["by_statement"] == {}


def test_team_survey_duplicates_and_undated_campaigns(
    store: Store, ctx: Callable[..., Context], respond: Callable[..., None]
) -> None:
    rows = [(f"a{i}", "Alpha", {"enps": 10}) for i in range(5)]
    respond("2023-H2", [(f"o{i}", "Alpha", {"enps": 0}) for i in range(5)], submitted=None)
    respond("2024-H1", rows, submitted=None)
    respond("2024-H1", rows[:2], submitted=None, source="again")
    m = plain(enps(ctx()))
    # The last campaign by name; five respondents, all promoters.
    assert m.breakdown["campaign"] == "2024-H1"
    assert m.breakdown["respondents"] == 5 and m.value == 100 and m.n == 1


# -- key_person_coverage --------------------------------------------------------------------
# Window: 365 days before 2024-04-01 00:00, i.e. from 2023-04-02 00:00. Tier-1 services:
#   ERP: incidents a x7, b x1, c x1 (c's resolved exactly at 2023-04-02 00:00: inside);
#        b's incident resolved 2023-04-01 is outside. Shares 7/9, 1/9, 1/9 -> only a is able
#        -> single: "ERP: 7 of 9 incidents resolved by one person"
#   CRM: skills a level 3 on "crm" (by name, any case), b level 2 (too low); incidents d x1,
#        e x4 -> d has 1/5 = 20 %, exactly the share -> able: a, d, e -> covered
#   Mail: skills f level 5 on "svc-mail", g level 4 on "Mail" but g left 2024-03-15 -> f only
#        -> single, no incidents: "Mail: only one person able to support it"
#   Payroll: nobody -> "Payroll: no one able to support it"
#   HRIS: skills h level 3, i level 7 -> covered
#   Wiki (tier 2): out of scope
# n = 5, covered CRM and HRIS -> 40 %


def test_key_person_coverage(
    store: Store, ctx: Callable[..., Context], wording: Callable[[str, Measurement], None]
) -> None:
    insert_records(
        store,
        "services",
        [
            {"id": "svc-erp", "name": "ERP", "tier": 1},
            {"id": "svc-crm", "name": "CRM", "tier": 1},
            {"id": "svc-mail", "name": "Mail", "tier": 1},
            {"id": "svc-pay", "name": "Payroll", "tier": 1},
            {"id": "svc-hris", "name": "HRIS", "tier": 1},
            {"id": "svc-wiki", "name": "Wiki", "tier": 2},
        ],
    )
    insert_records(
        store,
        "people",
        [
            {"id": "g", "left_on": "2024-03-15"},
            {"id": "i", "started_on": "2023-01-01"},
        ],
    )
    insert_records(
        store,
        "skills",
        [
            {"person": "a", "skill_or_service": "crm", "level": 3},
            {"person": "b", "skill_or_service": "CRM", "level": 2},
            {"person": "f", "skill_or_service": "svc-mail", "level": 5},
            {"person": "g", "skill_or_service": "Mail", "level": 4},
            {"person": "h", "skill_or_service": "HRIS", "level": 3},
            {"person": "i", "skill_or_service": "svc-hris", "level": 7},
            {"person": "x", "skill_or_service": "Wiki", "level": 7},
            {"person": "y", "skill_or_service": "Wiki", "level": 7},
        ],
    )
    incidents = [(f"erp-a{n}", "svc-erp", "a", "2024-02-01T10:00:00") for n in range(7)]
    incidents += [
        ("erp-b", "svc-erp", "b", "2024-02-01T10:00:00"),
        ("erp-c", "svc-erp", "c", "2023-04-02T00:00:00"),
        ("erp-old", "svc-erp", "b", "2023-04-01T23:00:00"),
        ("crm-d", "svc-crm", "d", "2024-01-10T10:00:00"),
    ]
    incidents += [(f"crm-e{n}", "svc-crm", "e", "2024-01-10T10:00:00") for n in range(4)]
    insert_records(
        store,
        "incidents",
        [
            {
                "id": i,
                "opened_at": "2023-04-01T00:00:00",
                "resolved_at": r,
                "service": s,
                "resolver": who,
                "severity": "P3",
            }
            for i, s, who, r in incidents
        ],
    )
    m = plain(key_person_coverage(ctx()))
    assert m.value == pytest.approx(40)
    assert m.n == 5
    assert m.breakdown["scope"] == "tier 1"
    assert m.breakdown["able_people"] == {
        "svc-crm": ["a", "d", "e"],
        "svc-erp": ["a"],
        "svc-hris": ["h", "i"],
        "svc-mail": ["f"],
        "svc-pay": [],
    }
    assert m.breakdown["single_person"] == ["svc-erp", "svc-mail"]
    assert m.breakdown["no_one"] == ["svc-pay"]
    wording("key_person_coverage", m)


def test_key_person_coverage_without_tiers_uses_every_service(
    store: Store, ctx: Callable[..., Context]
) -> None:
    insert_records(store, "services", [{"id": "s1", "name": "One"}, {"id": "s2", "name": "Two"}])
    insert_records(
        store,
        "skills",
        [
            {"person": "a", "skill_or_service": "One", "level": 4},
            {"person": "b", "skill_or_service": "s1", "level": 4},
            {"person": "a", "skill_or_service": "Two", "level": 4},
        ],
    )
    m = plain(key_person_coverage(ctx()))
    assert m.breakdown["scope"] == "all services"
    assert m.value == 50 and m.n == 2


def test_key_person_coverage_needs_skills_or_resolvers(
    store: Store, ctx: Callable[..., Context]
) -> None:
    insert_records(store, "services", [{"id": "s1", "name": "One", "tier": 1}])
    assert nothing(key_person_coverage(ctx()))


# -- training_hours -------------------------------------------------------------------------
# 2024-Q1, 91 days:
#   t1 (Apps) all quarter, 91 days: 8 h on 01-10, 4 h on 03-31 (last day)            12 h
#   t2 (Apps) all quarter, 91 days: 2 h on 01-01 (first day); 6 h on 2023-12-31 and
#             10 h on 2024-04-01 are outside the period                               2 h
#   t3 (Ops) left 2024-01-31, 31 days: 6 h on 01-15                                    6 h
#   t4 (Ops) left 2023-12-31: not on the books; x9 is not on the people list (7 h)
# hours 20; person-days 91 + 91 + 31 = 213; average headcount 213/91
# value = 20 / (213/91) * 365/91 = 20 / 213 * 365 = 34.27 h per person per year
# by team: Apps 14/182*365 = 28.08; Ops 6/31*365 = 70.65


def test_training_hours(
    store: Store, ctx: Callable[..., Context], wording: Callable[[str, Measurement], None]
) -> None:
    insert_records(
        store,
        "people",
        [
            {"id": "t1", "team": "Apps", "started_on": "2022-01-01"},
            {"id": "t2", "team": "Apps"},
            {"id": "t3", "team": "Ops", "left_on": "2024-01-31"},
            {"id": "t4", "team": "Ops", "left_on": "2023-12-31"},
        ],
    )
    insert_records(
        store,
        "learning",
        [
            {"person": "t1", "date": "2024-01-10", "hours": 8, "activity": "course"},
            {"person": "t1", "date": "2024-03-31", "hours": 4, "activity": "course"},
            {"person": "t2", "date": "2024-01-01", "hours": 2, "activity": "course"},
            {"person": "t2", "date": "2023-12-31", "hours": 6, "activity": "course"},
            {"person": "t2", "date": "2024-04-01", "hours": 10, "activity": "course"},
            {"person": "t3", "date": "2024-01-15", "hours": 6, "activity": "course"},
            {"person": "t4", "date": "2023-12-01", "hours": 5, "activity": "course"},
            {"person": "x9", "date": "2024-02-01", "hours": 7, "activity": "course"},
        ],
    )
    # t1 again under another source name (the same export imported twice): one person.
    insert_records(
        store, "people", [{"id": "t1", "team": "Apps", "started_on": "2022-01-01"}], source="copy"
    )
    m = plain(training_hours(ctx()))
    assert m.value == pytest.approx(20 / 213 * 365)
    assert m.n == 3
    assert m.breakdown["average_headcount"] == pytest.approx(213 / 91)
    assert m.breakdown["hours"] == 20
    assert m.breakdown["hours_of_people_not_on_the_list"] == 7
    assert m.breakdown["hours_per_person_per_year_by_team"] == {
        "Apps": pytest.approx(14 / 182 * 365),
        "Ops": pytest.approx(6 / 31 * 365),
    }
    assert [c.name for c in m.evidence] == ["Apps", "Ops"]
    wording("training_hours", m)


# -- on_call_load -----------------------------------------------------------------------------
# January 2024 (31 days): weeks are Jan 1-7, 8-14, 15-21 and 22-31 (the 3 days left over join
# the last week). Jan 1 is a Monday. Off hours: before 08:00 or from 18:00 UTC, or weekends.
#   o1 (on call all month): wk0 Jan 1 10:00, Jan 1 19:00 (off), Sat Jan 6 12:00 (off)  3 (2 off)
#                           wk1 Mon Jan 8 07:59 (off)                                   1 (1 off)
#                           wk2 none                                                    0
#                           wk3 Tue Jan 30 08:00, Wed Jan 31 23:00 (off)                2 (1 off)
#   o2 (started Jan 10: weeks 1-3 only): wk1 Wed Jan 10 17:59, 18:00 (off)              2 (1 off)
#                           wk2 Jan 15 09:00, Jan 16 09:00, Sat Jan 20 09:00 (off),
#                               Sun Jan 21 23:59 (off)                                  4 (2 off)
#                           wk3 none                                                    0
#   not pages: a P3 by o1; a P1 by o3 (not on call); a P2 by o1 on Feb 1 00:00
# pages per person-week: 3 1 0 2 | 2 4 0 -> sorted 0 0 1 2 2 3 4 -> median 2, n = 7
# off-hours: 2 1 0 1 | 1 2 0 -> sorted 0 0 1 1 1 2 2 -> median 1; total 7 of 12 pages


def test_on_call_load(
    store: Store, ctx: Callable[..., Context], wording: Callable[[str, Measurement], None]
) -> None:
    insert_records(
        store,
        "people",
        [
            {"id": "o1", "on_call": True, "started_on": "2020-01-01"},
            {"id": "o2", "on_call": True, "started_on": "2024-01-10"},
            {"id": "o3", "on_call": False},
        ],
    )
    pages = [
        ("o1", "2024-01-01T10:00:00"),
        ("o1", "2024-01-01T19:00:00"),
        ("o1", "2024-01-06T12:00:00"),
        ("o1", "2024-01-08T07:59:00"),
        ("o1", "2024-01-30T08:00:00"),
        ("o1", "2024-01-31T23:00:00"),
        ("o2", "2024-01-10T17:59:00"),
        ("o2", "2024-01-10T18:00:00"),
        ("o2", "2024-01-15T09:00:00"),
        ("o2", "2024-01-16T09:00:00"),
        ("o2", "2024-01-20T09:00:00"),
        ("o2", "2024-01-21T23:59:00"),
    ]
    rows = [
        {"id": f"i{n}", "opened_at": at, "resolver": who, "severity": "P1" if n % 2 else "P2"}
        for n, (who, at) in enumerate(pages)
    ]
    rows += [
        {"id": "p3", "opened_at": "2024-01-03T10:00:00", "resolver": "o1", "severity": "P3"},
        {"id": "other", "opened_at": "2024-01-03T10:00:00", "resolver": "o3", "severity": "P1"},
        {"id": "feb", "opened_at": "2024-02-01T00:00:00", "resolver": "o1", "severity": "P2"},
    ]
    insert_records(store, "incidents", rows)
    # Two pages imported again under another source name: still one page each.
    insert_records(store, "incidents", rows[:2], source="copy")
    m = plain(on_call_load(ctx(JAN)))
    assert m.value == 2
    assert m.n == 7
    assert m.breakdown["weeks"] == 4
    assert m.breakdown["pages"] == 12
    assert m.breakdown["off_hours_pages"] == 7
    assert m.breakdown["median_off_hours_pages"] == 1
    assert m.breakdown["pages_to_people_not_on_call"] == 1
    assert m.breakdown["by_person"] == {
        "o1": {"pages": 6, "off_hours": 4, "weeks": 4},
        "o2": {"pages": 6, "off_hours": 3, "weeks": 3},
    }
    wording("on_call_load", m)
    assert m.records is not None and len(m.records.execute()) == 12


def test_on_call_load_counts_quiet_weeks(store: Store, ctx: Callable[..., Context]) -> None:
    # 2024-Q1 is exactly 13 weeks; one page in one week -> 12 zeros, median 0.
    insert_records(store, "people", [{"id": "o1", "on_call": True}])
    insert_records(
        store,
        "incidents",
        [{"id": "i1", "opened_at": "2024-02-01T10:00:00", "resolver": "o1", "severity": "P1"}],
    )
    m = plain(on_call_load(ctx()))
    assert m.value == 0 and m.n == 13 and m.breakdown["pages"] == 1


# -- no data ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "fn",
    [regretted_attrition, enps, westrum_culture, training_hours, on_call_load],
)
def test_empty_period(
    store: Store, fn: Any, ctx: Callable[..., Context], respond: Callable[..., None]
) -> None:
    # Records exist, but none the metric can use for 2024-Q1: a stakeholder survey (wrong
    # kind), a team survey closed after the period, people who left before the windows
    # began, nobody on call.
    respond("S", [(f"s{i}", "Ops", {"nps": 9}) for i in range(5)], survey="stakeholder")
    respond(
        "later",
        [(f"t{i}", "Ops", {"enps": 9}) for i in range(5)],
        submitted="2024-05-01T00:00:00",
    )
    insert_records(store, "people", [{"id": "p1", "left_on": "2020-01-01", "on_call": False}])
    insert_records(store, "learning", [{"person": "p1", "date": "2024-02-01", "hours": 3}])
    assert nothing(fn(ctx()))


def test_needs_say_no_data_on_an_empty_store(store: Store, ctx: Callable[..., Context]) -> None:
    c = ctx()
    for m in REGISTRY.values():
        if m.area == "talent":
            assert not has_data(c, m), m.id


# -- a set of periods in one batch ----------------------------------------------------------
Q4_2023 = Period(date(2023, 10, 1), date(2024, 1, 1), "quarter")
Q2 = Period(date(2024, 4, 1), date(2024, 7, 1), "quarter")
QUARTERS = (Q4_2023, Q1, Q2)
MONTHS = (
    Period(date(2023, 12, 1), date(2024, 1, 1), "month"),
    JAN,
    Period(date(2024, 2, 1), date(2024, 3, 1), "month"),  # 29 days: the 1 left over joins week 4
    Period(date(2024, 3, 1), date(2024, 4, 1), "month"),
)
# Overlapping custom periods, one shorter than a week (one week of 5 days).
CUSTOM = (
    Period(date(2023, 12, 20), date(2024, 1, 25)),
    Period(date(2024, 1, 8), date(2024, 2, 12)),
    Period(date(2024, 1, 29), date(2024, 2, 3)),
)
TALENT_BATCHED = ("regretted_attrition", "key_person_coverage", "training_hours", "on_call_load")


def _edge_people(store: Store) -> None:
    """People, pages, skills and learning on and across the edges of the periods above."""
    vr = {"leave_kind": "voluntary", "regretted": True}
    insert_records(
        store,
        "people",
        [
            {"id": "a", "team": "Apps", "started_on": "2020-01-01", "on_call": True},
            # leaves on Q4's last day / January's last day / starts on a period's first day
            {"id": "b", "team": "Apps", "started_on": "2021-01-01", "left_on": "2023-12-31", **vr},
            {"id": "c", "team": "Ops", "left_on": "2024-01-31", "on_call": True, **vr},
            {"id": "d", "team": "Ops", "started_on": "2024-01-01", "on_call": True},
            {
                "id": "e",
                "started_on": "2024-02-01",
                "left_on": "2024-04-01",
                "leave_kind": "voluntary",
            },
            {"id": "f", "team": "Ops", "started_on": "2024-01-29", "on_call": False},
        ],
    )
    insert_records(store, "people", [{"id": "a", "team": "Apps", "on_call": True}], source="copy")
    insert_records(
        store,
        "services",
        [
            {"id": "s1", "name": "ERP", "tier": 1},
            {"id": "s2", "name": "CRM", "tier": 1},
            {"id": "s3", "name": "Wiki", "tier": 2},
        ],
    )
    insert_records(
        store,
        "skills",
        [
            {"person": "b", "skill_or_service": "ERP", "level": 5},  # gone after 2023-12-31
            {"person": "d", "skill_or_service": "s1", "level": 5},  # not started before 2024
            {"person": "a", "skill_or_service": "crm", "level": 4},
        ],
    )
    pages = [
        ("a", "2023-12-31T23:59:00", "P1"),  # Q4's last minute, a Sunday
        ("a", "2024-01-01T00:00:00", "P2"),  # Q1's first instant, off hours
        ("c", "2024-01-31T12:00:00", "P1"),  # c's last day
        ("c", "2024-02-01T12:00:00", "P1"),  # c has left: a page outside the books
        ("d", "2024-01-28T10:00:00", "P2"),
        ("d", "2024-02-29T10:00:00", "P1"),  # February's last day: its 4th week
        ("f", "2024-01-30T10:00:00", "P1"),  # not on call
        ("a", "2024-03-31T23:59:59", "P3"),  # not major
        ("a", "2024-04-01T09:00:00", "P1"),
    ]
    insert_records(
        store,
        "incidents",
        [
            {
                "id": f"i{n}",
                "opened_at": at,
                "resolved_at": at,
                "resolver": who,
                "severity": sev,
                "service": "s1" if n % 2 else "s2",
            }
            for n, (who, at, sev) in enumerate(pages)
        ],
    )
    insert_records(
        store,
        "learning",
        [
            {"person": "a", "date": "2023-12-31", "hours": 3, "activity": "course"},
            {"person": "a", "date": "2024-01-01", "hours": 5, "activity": "course"},
            {"person": "c", "date": "2024-01-31", "hours": 2, "activity": "course"},
            {"person": "e", "date": "2024-02-01", "hours": 7, "activity": "course"},
            {"person": "zz", "date": "2024-02-02", "hours": 1, "activity": "course"},
            {"person": "a", "date": "2024-04-01", "hours": 4, "activity": "course"},
        ],
    )


def _same_as_alone(
    ctx: Callable[..., Context],
    batch: Callable[..., Batch],
    metric_id: str,
    periods: tuple[Period, ...],
) -> None:
    """Each period's figure from a batch equals the figure computed for that period alone
    (the alone contexts share their facts and tables, as one Scorer's do)."""
    m = REGISTRY[metric_id]
    together = m.compute(batch(periods))
    assert set(together) == set(periods)
    first = ctx(periods[0])
    for period in periods:
        alone = m(replace(first, period=period))
        got = plain(together[period])
        where = f"{metric_id} {period}"
        assert (got.value, got.n, got.note) == (alone.value, alone.n, alone.note), where
        assert got.breakdown == alone.breakdown, where
        assert [c.as_dict() for c in got.evidence] == [c.as_dict() for c in alone.evidence], where


@pytest.mark.slow
@pytest.mark.parametrize(
    "periods", [QUARTERS, MONTHS, CUSTOM], ids=["quarters", "months", "custom"]
)
def test_a_batch_of_periods_gives_each_period_as_alone(
    store: Store,
    periods: tuple[Period, ...],
    batch: Callable[..., Batch],
    ctx: Callable[..., Context],
) -> None:
    _edge_people(store)
    for mid in TALENT_BATCHED:
        _same_as_alone(ctx, batch, mid, periods)


def test_a_batch_keeps_each_period_to_its_own_people(
    store: Store, batch: Callable[..., Batch]
) -> None:
    _edge_people(store)
    b = batch(MONTHS)
    calls = on_call_load.compute(b)
    dec, jan, feb, mar = (calls[p] for p in MONTHS)
    # December: a and c on call all month, d not started; a's page on the 31st (week 4)
    assert dec.breakdown["by_person"] == {
        "a": {"pages": 1, "off_hours": 1, "weeks": 4},
        "c": {"pages": 0, "off_hours": 0, "weeks": 4},
    }
    # January: a (1 page, Jan 1 00:00), c (Jan 31: week 4), d (Jan 28: week 4)
    assert {k: v["pages"] for k, v in jan.breakdown["by_person"].items()} == {
        "a": 1,
        "c": 1,
        "d": 1,
    }
    assert jan.breakdown["pages_to_people_not_on_call"] == 1  # f
    # February: c left on Jan 31, yet their page on Feb 1 counts in week 1; d's Feb 29 in week 4
    assert feb.breakdown["by_person"]["c"] == {"pages": 1, "off_hours": 0, "weeks": 1}
    assert feb.breakdown["by_person"]["d"] == {"pages": 1, "off_hours": 0, "weeks": 4}
    assert feb.breakdown["pages_to_people_not_on_call"] == 0
    # March: no page (the P3 on the 31st is not one); a and d on call, 4 weeks each
    assert (mar.value, mar.n, mar.breakdown["pages"]) == (0.0, 8, 0)

    hours = training_hours.compute(batch(QUARTERS))
    # Q4: a and b on the books all quarter (92 + 92), c too (92): 3 h by a on Dec 31
    assert (hours[Q4_2023].n, hours[Q4_2023].breakdown["hours"]) == (3, 3)
    # Q1: a 91, c 31, d 91, e 60, f 63: 5 + 2 + 7 = 14 h; zz's 1 h is not on the list
    assert hours[Q1].breakdown["hours"] == 14
    assert hours[Q1].breakdown["hours_of_people_not_on_the_list"] == 1
    assert hours[Q1].breakdown["average_headcount"] == pytest.approx((91 + 31 + 91 + 60 + 63) / 91)
    # Q2: e's last day is Apr 1 (1 day on the books); a's 4 h on Apr 1
    assert hours[Q2].breakdown["hours"] == 4

    cover = key_person_coverage.compute(batch(QUARTERS))
    # At Q4's end b had left (last day Dec 31) and d had not started, so neither's ERP skill
    # counts and no ERP incident was resolved yet; CRM: a by skill and by i0 (Dec 31).
    assert cover[Q4_2023].breakdown["able_people"] == {"s1": [], "s2": ["a"]}
    # At Q1's end: ERP d by skill, a (2 of 4), c and d (1 of 4 each) by incidents, c had
    # left; CRM a by skill, a (2 of 4), c, d and f (1 of 4 each), c had left.
    assert cover[Q1].breakdown["able_people"] == {"s1": ["a", "d"], "s2": ["a", "d", "f"]}
    assert (cover[Q4_2023].value, cover[Q1].value) == (0.0, 100.0)

    attrition = regretted_attrition.compute(batch(QUARTERS))
    # Window to Q4's end (2023-01-01 .. 2023-12-31): a, b and c all year; b a regretted leaver
    assert (attrition[Q4_2023].n, attrition[Q4_2023].value) == (3, pytest.approx(100 / 3))
    # Window to Q2's end (2023-07-02 .. 2024-06-30): b, c regretted, e voluntary, unknown
    assert attrition[Q2].breakdown["voluntary_leavers"] == 3
    assert attrition[Q2].breakdown["regretted_leavers"] == 2
    assert attrition[Q2].breakdown["leavers_with_unknown_regret"] == 1
