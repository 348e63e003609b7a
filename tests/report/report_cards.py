"""Hand-built scorecards for the report tests, in their JSON form (docs/scorecard-json.md).

`make_card` builds one realistic period for a mid-sized IT department at stage 1 (Order
Taker): stability holds it back, Planning & Optimization is not measured, and the metrics
show every status (ok, insufficient, no_data, left_out). The tests change these dicts and
read them into `Scorecard` objects (`Scorecard.from_dict`) to render them. The fixtures are
in conftest.py.
"""

from __future__ import annotations

import copy
from typing import Any

from trustmeter.scorecard.model import Scorecard

MEASURE_WITH = {
    "stability": "incident exports (ServiceNow, PagerDuty, Jira Service Management), change and deployment records, and the service catalogue with tiers",
    "delivery": "commitments (sprints, milestones, releases, due dates), work items with created and done dates, and production deployments",
    "planning": "the project portfolio (sponsor, objective, approval and IT engagement dates), budget lines with run/grow/transform categories",
    "relationships": "the stakeholder trust survey, the stakeholder list with key stakeholders, and engagements (meetings) with the business",
    "talent": "the people list (start, leave, regretted), skills per service, learning hours, the team survey and on-call incident resolutions",
}
AREA_NAMES = {
    "stability": "Production Stability",
    "delivery": "Delivery",
    "planning": "Planning & Optimization",
    "relationships": "Fostering Key Relationships",
    "talent": "Talent Development",
}


def ev(kind: str, name: str, detail: str, value: float | None = None) -> dict[str, Any]:
    return {"kind": kind, "name": name, "detail": detail, "value": value}


def metric(
    mid: str,
    name: str,
    area: str,
    value: float | None,
    unit: str,
    target: float,
    floor: float,
    score: float | None,
    n: int,
    status: str = "ok",
    evidence: list[dict[str, Any]] | None = None,
    note: str | None = None,
    direction: str = "higher",
) -> dict[str, Any]:
    return {
        "id": mid,
        "name": name,
        "area": area,
        "value": value,
        "unit": unit,
        "direction": direction,
        "target": target,
        "floor": floor,
        "score": score,
        "n": n,
        "min_sample": 5,
        "status": status,
        "weight": 1,
        "description": f"{name}.",
        "breakdown": {},
        "evidence": evidence or [],
        "note": note,
    }


# How much each area's scores move with `age` (periods before the current one): stability
# and delivery improve steadily, relationships lag behind them, talent dipped and recovered.
DRIFT = {
    "stability": lambda age: -5.0 * age,
    "delivery": lambda age: -3.5 * age,
    "planning": lambda age: 0.0,
    "relationships": lambda age: -1.0 * age - (2.0 if age == 1 else 0.0),
    "talent": lambda age: [0.0, -4.0, -1.0, 2.0][min(age, 3)],
}


def _metrics(age: int, bump: float = 0.0) -> dict[str, list[dict[str, Any]]]:
    """The metrics of one period; `age` moves the scores back in time for a believable history."""
    area = ""

    def s(x: float) -> float:
        return round(max(0.0, min(100.0, x + DRIFT[area](age) + bump)), 1)

    out: dict[str, list[dict[str, Any]]] = {}
    for area in DRIFT:
        out[area] = _area_metrics(area, s)
    return out


def _area_metrics(area: str, s: Any) -> list[dict[str, Any]]:
    return {
        "stability": [
            metric(
                "availability",
                "Availability of tier-1 services",
                "stability",
                99.62,
                "%",
                99.9,
                99.0,
                s(68.9),
                6,
                evidence=[
                    ev("service", "ERP", "ERP: 11.5 h of customer impact across 3 outages", 11.5),
                    ev("service", "Payroll", "Payroll: 2.1 h of impact in one P2 outage", 2.1),
                ],
            ),
            metric(
                "slo_attainment",
                "Services meeting their SLO",
                "stability",
                60.0,
                "%",
                100,
                50,
                s(20.0),
                5,
                evidence=[ev("service", "ERP", "ERP: 99.62% against an SLO of 99.9%")],
            ),
            metric(
                "major_incidents",
                "Major incidents (P1+P2) per month",
                "stability",
                4.7,
                "count",
                2,
                8,
                s(55.0),
                14,
                direction="lower",
                evidence=[ev("service", "ERP", "ERP: 9 of 14 P1/P2 incidents", 9)],
            ),
            metric(
                "mttr",
                "Mean time to restore (median)",
                "stability",
                5.2,
                "h",
                1,
                24,
                s(48.1),
                14,
                direction="lower",
                evidence=[
                    ev(
                        "service",
                        "ERP",
                        "ERP: 9 of 14 P1/P2 incidents; 7 of those 9 resolved by one person",
                        9,
                    ),
                    ev("person", "p-017", "p-017 resolved 8 of 14 major incidents", 8),
                    ev("service", "CRM", "CRM: median 11.0 h to restore", 11.0),
                ],
            ),
            metric(
                "mtta",
                "Time to acknowledge (median)",
                "stability",
                12.0,
                "min",
                5,
                60,
                s(64.8),
                14,
                direction="lower",
            ),
            metric(
                "change_failure_rate",
                "Change failure rate",
                "stability",
                18.0,
                "%",
                5,
                30,
                s(48.0),
                122,
                direction="lower",
                evidence=[
                    ev("service", "ERP", "ERP: 7 of 31 changes failed or caused an incident", 7)
                ],
            ),
            metric(
                "repeat_incidents",
                "Repeat incidents",
                "stability",
                None,
                "%",
                10,
                40,
                None,
                3,
                status="insufficient",
                note="n = 3, below the minimum sample of 5",
                direction="lower",
            ),
            metric(
                "unplanned_work",
                "Unplanned work",
                "stability",
                38.0,
                "%",
                20,
                50,
                s(40.0),
                410,
                direction="lower",
            ),
        ],
        "delivery": [
            metric(
                "commitment_reliability",
                "Commitments kept (say/do)",
                "delivery",
                72.5,
                "%",
                90,
                50,
                s(56.3),
                38,
                evidence=[
                    ev("team", "Platform", "Platform: 4 of 9 sprint commitments below 70%", 4)
                ],
            ),
            metric(
                "schedule_slip",
                "Schedule slip (median)",
                "delivery",
                22.0,
                "%",
                5,
                50,
                s(62.2),
                12,
                direction="lower",
                evidence=[
                    ev("project", "S/4 migration", "S/4 migration: 41% late against its plan")
                ],
            ),
            metric(
                "deployment_frequency",
                "Deployment frequency",
                "delivery",
                1.8,
                "days/week",
                5,
                0.25,
                s(65.9),
                13,
            ),
            metric(
                "lead_time_for_changes",
                "Lead time for changes (median)",
                "delivery",
                52.0,
                "h",
                24,
                720,
                s(77.3),
                122,
                direction="lower",
            ),
            metric(
                "request_lead_time",
                "Request lead time (85th percentile)",
                "delivery",
                19.0,
                "d",
                5,
                60,
                s(46.3),
                640,
                direction="lower",
            ),
            metric(
                "aged_demand",
                "Requests older than 90 days",
                "delivery",
                14.0,
                "%",
                10,
                40,
                s(86.7),
                212,
                direction="lower",
            ),
            metric(
                "forecast_calibration",
                "Forecast calibration",
                "delivery",
                None,
                "pp off",
                0,
                25,
                None,
                0,
                status="no_data",
                note="needs forecasts recorded with an 85% confidence",
                direction="lower",
            ),
        ],
        "planning": [
            metric(
                "run_share",
                "Run share of spend",
                "planning",
                None,
                "%",
                60,
                85,
                None,
                0,
                status="no_data",
                note="needs budget lines with run/grow/transform categories",
                direction="lower",
            ),
            metric(
                "budget_variance",
                "Budget variance",
                "planning",
                None,
                "%",
                5,
                25,
                None,
                0,
                status="no_data",
                note="needs budget lines with planned and actual amounts",
                direction="lower",
            ),
            metric(
                "objective_traceability",
                "Projects tied to an objective and sponsor",
                "planning",
                50.0,
                "%",
                90,
                50,
                None,
                4,
                status="insufficient",
                note="n = 4, below the minimum sample of 5",
            ),
            metric(
                "early_involvement",
                "IT in the first meeting",
                "planning",
                40.0,
                "%",
                60,
                10,
                s(60.0),
                5,
            ),
            metric(
                "portfolio_load",
                "Active projects per team",
                "planning",
                None,
                "count",
                2,
                6,
                None,
                0,
                status="no_data",
                note="needs the project portfolio",
                direction="lower",
            ),
        ],
        "relationships": [
            metric(
                "stakeholder_satisfaction",
                "Stakeholder satisfaction",
                "relationships",
                66.0,
                "0–100",
                80,
                50,
                s(53.3),
                6,
                evidence=[ev("business_unit", "Finance", "Finance: satisfaction 48 of 100", 48)],
            ),
            metric(
                "trust_components",
                "Trust components",
                "relationships",
                63.0,
                "0–100",
                80,
                40,
                s(57.5),
                6,
            ),
            metric(
                "relationship_nps",
                "Relationship NPS",
                "relationships",
                5.0,
                "−100…100",
                30,
                -30,
                s(58.3),
                21,
            ),
            metric(
                "importance_gap",
                "Important services rated poorly",
                "relationships",
                2.0,
                "count",
                0,
                4,
                s(50.0),
                6,
                direction="lower",
            ),
            metric(
                "review_cadence",
                "Key stakeholders reviewed in 90 days",
                "relationships",
                70.0,
                "%",
                100,
                40,
                s(50.0),
                10,
                evidence=[
                    ev("stakeholder", "Finance", "Finance: no review in 140 days", 140),
                    ev("stakeholder", "Sales", "Sales: no review in 97 days", 97),
                ],
            ),
            metric(
                "proactive_contact",
                "Proactive contact (the cable-guy ratio)",
                "relationships",
                35.0,
                "%",
                60,
                20,
                s(37.5),
                88,
            ),
            metric(
                "partner_perception",
                "Seen as advisor or partner",
                "relationships",
                33.0,
                "%",
                60,
                10,
                s(46.0),
                21,
            ),
        ],
        "talent": [
            metric(
                "regretted_attrition",
                "Regretted attrition",
                "talent",
                9.5,
                "%",
                8,
                20,
                s(87.5),
                64,
                direction="lower",
            ),
            metric("enps", "Employee NPS", "talent", 12.0, "−100…100", 20, -20, s(80.0), 48),
            metric(
                "westrum_culture", "Westrum culture", "talent", 4.9, "1–7", 5.5, 3.5, s(70.0), 48
            ),
            metric(
                "key_person_coverage",
                "Tier-1 services with a backup",
                "talent",
                67.0,
                "%",
                100,
                50,
                s(34.0),
                6,
                evidence=[ev("service", "ERP", "ERP: only p-017 can support it", 1)],
            ),
            metric(
                "training_hours",
                "Training hours per person",
                "talent",
                22.0,
                "h",
                40,
                10,
                s(56.9),
                64,
            ),
            metric(
                "on_call_load",
                "On-call pages per person per week",
                "talent",
                None,
                "count",
                2,
                10,
                None,
                0,
                status="left_out",
                note="the mid profile leaves this metric out",
                direction="lower",
            ),
        ],
    }[area]


def make_card(
    label: str = "2026-Q3",
    start: str = "2026-07-01",
    end: str = "2026-10-01",
    age: int = 0,
    bump: float = 0.0,
    previous_stability: float | None = 44.3,
) -> dict[str, Any]:
    by_area = _metrics(age, bump)
    areas = []
    for aid, ms in by_area.items():
        counted = [m for m in ms if m["status"] != "left_out"]
        scored = [m for m in counted if m["status"] == "ok"]
        coverage = len(scored) / len(counted) if counted else 0.0
        partial = round(sum(m["score"] for m in scored) / len(scored), 1) if scored else None
        measured = partial is not None and coverage >= 0.5
        areas.append(
            {
                "id": aid,
                "name": AREA_NAMES[aid],
                "weight": 1,
                "score": partial if measured else None,
                "partial_score": partial,
                "coverage": round(coverage, 3),
                "status": "measured" if measured else "not_measured",
                "measure_with": MEASURE_WITH[aid],
                "metrics": ms,
            }
        )
    score = {a["id"]: a["score"] for a in areas}
    measured = [a["score"] for a in areas if a["score"] is not None]
    uncapped = round(sum(measured) / len(measured), 1)
    level = 1 if score["stability"] is not None and score["stability"] >= 40 else 0
    ceiling = 40 if level == 1 else 20
    pred = {
        m["id"]: m["score"]
        for ms in by_area.values()
        for m in ms
        if m["id"]
        in ("commitment_reliability", "schedule_slip", "budget_variance", "slo_attainment")
        and m["status"] == "ok"
    }
    blocked = [
        {
            "stage": 2,
            "stage_name": "Reliable Operator",
            "condition": "stability ≥ 70 in this period and the one before",
            "kind": "area",
            "target": "stability",
            "required": 70,
            "periods": 2,
            "actual": score["stability"],
            "previous": previous_stability,
            "passed": False,
            "reason": f"stability scored {score['stability']:g}, below 70",
        },
        {
            "stage": 2,
            "stage_name": "Reliable Operator",
            "condition": "delivery ≥ 70 in this period and the one before",
            "kind": "area",
            "target": "delivery",
            "required": 70,
            "periods": 2,
            "actual": score["delivery"],
            "previous": 62.3,
            "passed": False,
            "reason": f"delivery scored {score['delivery']:g}, below 70",
        },
        {
            "stage": 2,
            "stage_name": "Reliable Operator",
            "condition": "no tier-1 service covered by a single person",
            "kind": "metric",
            "target": "key_person_coverage",
            "required": 100,
            "periods": 1,
            "actual": 67.0,
            "previous": None,
            "passed": False,
            "reason": "key_person_coverage is 67, below 100",
        },
    ]
    talent_ok = {
        "condition": "talent ≥ 50",
        "kind": "area",
        "target": "talent",
        "required": 50,
        "periods": 1,
        "actual": score["talent"],
        "previous": None,
        "passed": True,
        "reason": "met",
    }
    ladder = [
        {"level": 0, "name": "Unstable", "ceiling": 20, "passed": True, "conditions": []},
        {
            "level": 1,
            "name": "Order Taker",
            "ceiling": 40,
            "passed": True,
            "conditions": [
                {
                    "condition": "stability ≥ 40",
                    "kind": "area",
                    "target": "stability",
                    "required": 40,
                    "periods": 1,
                    "actual": score["stability"],
                    "previous": None,
                    "passed": True,
                    "reason": "met",
                }
            ],
        },
        {
            "level": 2,
            "name": "Reliable Operator",
            "ceiling": 60,
            "passed": False,
            "conditions": [
                {k: v for k, v in b.items() if k not in ("stage", "stage_name")}
                for b in blocked[:2]
            ]
            + [
                talent_ok,
                {k: v for k, v in blocked[2].items() if k not in ("stage", "stage_name")},
            ],
        },
        {
            "level": 3,
            "name": "Trusted Advisor",
            "ceiling": 80,
            "passed": False,
            "conditions": [
                {
                    "condition": "planning ≥ 60",
                    "kind": "area",
                    "target": "planning",
                    "required": 60,
                    "periods": 1,
                    "actual": None,
                    "previous": None,
                    "passed": False,
                    "reason": "Planning & Optimization is not measured (coverage 25%)",
                },
                {
                    "condition": "relationships ≥ 60",
                    "kind": "area",
                    "target": "relationships",
                    "required": 60,
                    "periods": 1,
                    "actual": score["relationships"],
                    "previous": None,
                    "passed": False,
                    "reason": "relationships scored below 60",
                },
            ],
        },
        {"level": 4, "name": "Trusted Partner", "ceiling": 100, "passed": False, "conditions": []},
    ]
    mttr = by_area["stability"][3]
    cfr = by_area["stability"][5]
    kpc = by_area["talent"][3]
    actions = {
        "mttr": [
            "Write runbooks for the five most frequent P1/P2 causes.",
            "Pair a second engineer with the person who resolves most ERP incidents.",
        ],
        "change_failure_rate": ["Require automated tests and a rollback plan for ERP changes."],
        "key_person_coverage": [
            "Name and train a backup for every tier-1 service within a quarter."
        ],
    }

    reasons = {
        "mttr": blocked[0]["reason"],
        "change_failure_rate": blocked[0]["reason"],
        "key_person_coverage": blocked[2]["reason"],
    }

    def focus_item(m: dict[str, Any]) -> dict[str, Any]:
        gap = round(100 - m["score"], 1)
        return {
            "metric": m["id"],
            "name": m["name"],
            "area": m["area"],
            "status": m["status"],
            "value": m["value"],
            "unit": m["unit"],
            "target": m["target"],
            "score": m["score"],
            "n": m["n"],
            "gap": gap,
            "weight": 1,
            "priority": gap,
            "reason": reasons[m["id"]],
            "evidence": m["evidence"][:3],
            "actions": actions[m["id"]],
            "note": None,
        }

    card = {
        "schema": 1,
        "trustmeter": "0.1.0",
        "generated_at": "2026-11-24T21:40:00Z",
        "workspace": {"name": "acme-it", "profile": "mid", "timezone": "Europe/Berlin"},
        "period": {"from": start, "to": end, "label": label},
        "trust_index": min(uncapped, ceiling),
        "predictability_index": round(sum(pred.values()) / len(pred), 1),
        "indices": {
            "trust": {
                "value": min(uncapped, ceiling),
                "uncapped": uncapped,
                "ceiling": ceiling,
                "areas_measured": len(measured),
            },
            "predictability": {"value": round(sum(pred.values()) / len(pred), 1), "metrics": pred},
        },
        "stage": {
            "level": level,
            "name": ["Unstable", "Order Taker"][level],
            "ceiling": ceiling,
            "blocked_by": blocked,
            "ladder": ladder,
        },
        "areas": areas,
        "focus": {
            "stage": 2,
            "stage_name": "Reliable Operator",
            "summary": "To reach Reliable Operator: stability scored below 70. Start with mean time to restore "
            "(ERP: 9 of 14 P1/P2 incidents; 7 of those 9 resolved by one person).",
            "items": [focus_item(mttr), focus_item(cfr), focus_item(kpc)],
            "unmeasured": [
                {
                    "metric": "repeat_incidents",
                    "name": "Repeat incidents",
                    "area": "stability",
                    "status": "insufficient",
                    "value": None,
                    "unit": "%",
                    "target": 10,
                    "score": None,
                    "n": 3,
                    "gap": None,
                    "weight": 1,
                    "priority": None,
                    "reason": "stability scored below 70",
                    "evidence": [],
                    "actions": [],
                    "note": "n = 3, below the minimum sample of 5",
                }
            ],
        },
        "perception": {
            "quadrant": "borrowed_trust",
            "label": "borrowed trust: a risk",
            "perceived": 72.0,
            "measured": 57.1,
            "threshold": 60,
        },
    }
    return card


def make_trend() -> list[dict[str, Any]]:
    """Four quarters, oldest first, ending with the current one (2026-Q3)."""
    return [
        make_card("2025-Q4", "2025-10-01", "2026-01-01", age=3, previous_stability=None),
        make_card("2026-Q1", "2026-01-01", "2026-04-01", age=2),
        make_card("2026-Q2", "2026-04-01", "2026-07-01", age=1),
        make_card(),
    ]


def make_stage4_card() -> dict[str, Any]:
    """The same department at the top of the ladder: every gate passes, nothing to focus on."""
    c = copy.deepcopy(make_card(bump=30))
    c["stage"].update(level=4, name="Trusted Partner", ceiling=100, blocked_by=[])
    for st in c["stage"]["ladder"]:
        st["passed"] = True
        for cond in st["conditions"]:
            cond["passed"] = True
            cond["reason"] = "met"
    planning = next(a for a in c["areas"] if a["id"] == "planning")
    for m in planning["metrics"]:
        if m["status"] != "ok":
            m.update(status="ok", value=m["target"], score=100.0, n=8, note=None)
    planning.update(score=92.0, partial_score=92.0, coverage=1.0, status="measured")
    scores = [a["score"] for a in c["areas"]]
    c["indices"]["trust"]["uncapped"] = round(sum(scores) / len(scores), 1)
    c["indices"]["trust"]["areas_measured"] = 5
    c["perception"] = {
        "quadrant": "trusted",
        "label": "trusted",
        "perceived": 81.0,
        "measured": 87.1,
        "threshold": 60,
    }
    c["indices"]["trust"]["ceiling"] = 100
    c["trust_index"] = c["indices"]["trust"]["uncapped"]
    c["indices"]["trust"]["value"] = c["trust_index"]
    c["focus"] = {
        "stage": 4,
        "stage_name": "Trusted Partner",
        "summary": "Every gate passes at Trusted Partner.",
        "items": [],
        "unmeasured": [],
    }
    return c


def make_empty_card(
    label: str = "2026-Q3", start: str = "2026-07-01", end: str = "2026-10-01"
) -> dict[str, Any]:
    """A scorecard with nothing in it: no areas, no ladder, no focus, no perception."""
    return {
        "schema": 1,
        "trustmeter": "0.1.0",
        "generated_at": "2026-11-24T21:40:00Z",
        "workspace": {},
        "period": {"from": start, "to": end, "label": label},
        "trust_index": None,
        "predictability_index": None,
        "indices": {
            "trust": {"value": None, "uncapped": None, "ceiling": 20, "areas_measured": 0},
            "predictability": {"value": None, "metrics": {}},
        },
        "stage": {"level": 0, "name": "Unstable", "ceiling": 20, "blocked_by": [], "ladder": []},
        "areas": [],
        "focus": {"stage": 0, "stage_name": "", "summary": "", "items": [], "unmeasured": []},
        "perception": None,
    }


def as_card(d: dict[str, Any]) -> Scorecard:
    return Scorecard.from_dict(d)
