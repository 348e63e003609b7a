"""What a metric's n counts, in words: "7 P1/P2 incidents resolved", not "n = 7".

A sample size means nothing without its noun, and some metrics count one thing while their
figure rests on another: a survey metric's n is the groups (business units or teams) whose
answers may be shown, over the respondents inside them; the major-incident rate counts every
incident opened while its figure rests on the P1/P2 ones. `sample_phrase` says both.
"""

from __future__ import annotations

from typing import Any

from trustmeter.scorecard.model import MetricEntry

# What n counts, per metric id (a plural noun phrase).
COUNTS: dict[str, str] = {
    "availability": "services in scope",
    "slo_attainment": "services with an SLO",
    "major_incidents": "incidents opened",
    "mttr": "P1/P2 incidents resolved",
    "mtta": "P1/P2 incidents acknowledged",
    "change_failure_rate": "production changes",
    "repeat_incidents": "P1–P3 incidents",
    "unplanned_work": "work items done",
    "commitment_reliability": "commitments due",
    "schedule_slip": "commitments due",
    "deployment_frequency": "production deployments",
    "lead_time_for_changes": "production changes",
    "request_lead_time": "work items done",
    "aged_demand": "open requests",
    "forecast_calibration": "forecasts resolved",
    "run_share": "budget lines",
    "budget_variance": "budget lines",
    "objective_traceability": "active projects",
    "early_involvement": "projects approved",
    "portfolio_load": "active projects",
    "importance_gap": "services rated",
    "review_cadence": "key stakeholders",
    "proactive_contact": "engagements",
    "regretted_attrition": "people on the books",
    "key_person_coverage": "tier-1 services",
    "training_hours": "people on the books",
    "on_call_load": "on-call person-weeks",
}
# Survey metrics: n counts the groups shown; the respondents are in the breakdown.
GROUPS: dict[str, str] = {
    "stakeholder_satisfaction": "business units",
    "trust_components": "business units",
    "relationship_nps": "business units",
    "partner_perception": "business units",
    "enps": "teams",
    "westrum_culture": "teams",
}


# The noun of each phrase above, for a count of one ("1 service with an SLO").
_SINGULAR = {
    "services": "service",
    "incidents": "incident",
    "changes": "change",
    "items": "item",
    "commitments": "commitment",
    "deployments": "deployment",
    "requests": "request",
    "forecasts": "forecast",
    "lines": "line",
    "projects": "project",
    "stakeholders": "stakeholder",
    "engagements": "engagement",
    "people": "person",
    "person-weeks": "person-week",
    "units": "unit",
    "teams": "team",
    "respondents": "respondent",
    "records": "record",
}


def counted(n: int, phrase: str) -> str:
    """`n` and its noun phrase, the noun singular when n is 1: "1 service with an SLO"."""
    if n == 1:
        words = phrase.split(" ")
        for i, w in enumerate(words):
            if w in _SINGULAR:
                words[i] = _SINGULAR[w]
                break
        phrase = " ".join(words)
    return f"{n} {phrase}"


def respondents(breakdown: dict[str, Any]) -> int | None:
    """The respondents behind a survey metric's groups, when its breakdown lists them."""
    groups = breakdown.get("by_group")
    if not isinstance(groups, dict) or not groups:
        return None
    counts = [g.get("respondents") for g in groups.values() if isinstance(g, dict)]
    if not counts or any(not isinstance(c, int) for c in counts):
        return None
    return sum(c for c in counts if isinstance(c, int))


def sample_phrase(entry: MetricEntry) -> str:
    """n with what it counts: "7 P1/P2 incidents resolved", "5 business units (31 respondents)"."""
    if entry.id in GROUPS:
        people = respondents(entry.breakdown)
        tail = f" ({counted(people, 'respondents')})" if people is not None else ""
        return f"{counted(entry.n, GROUPS[entry.id])}{tail}"
    if entry.id == "major_incidents" and isinstance(entry.breakdown.get("major"), int):
        return f"{entry.breakdown['major']} P1/P2 of {counted(entry.n, 'incidents opened')}"
    return counted(entry.n, COUNTS.get(entry.id, "records"))
