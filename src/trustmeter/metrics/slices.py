"""A scorecard for one business unit, service or team: which records a slice keeps, and which
metrics have a meaning for it.

A slice narrows the record tables themselves (every metric reads its tables through
`Batch.t` / `Context.t`), so a sliced figure is computed by the same definition as the whole
organisation's, drill-down included. A metric whose records cannot be narrowed to the slice
(budget lines carry no business unit; a survey's groups are shown only under the anonymity
rule) is left out of the sliced scorecard with the reason below. docs/concepts.md lists
the decisions.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

import ibis

SliceKind = Literal["unit", "service", "team"]
SLICE_KINDS: tuple[SliceKind, ...] = ("unit", "service", "team")

WORDS = {"unit": "business unit", "service": "service", "team": "team"}


@dataclass(frozen=True)
class Slice:
    kind: SliceKind
    name: str

    @property
    def label(self) -> str:
        return f"{WORDS[self.kind]} {self.name}"

    def as_dict(self) -> dict[str, str]:
        return {"kind": self.kind, "name": self.name}


# The metrics each slice has a meaning for. Stability and the change flow follow a service
# (a business unit's are the services it owns in the catalogue); demand follows the team
# that did the work or the unit that asked for it; promises follow the team that made them.
_SERVICE_METRICS = frozenset(
    {
        "availability",
        "slo_attainment",
        "major_incidents",
        "mttr",
        "mtta",
        "change_failure_rate",
        "repeat_incidents",
        "deployment_frequency",
        "lead_time_for_changes",
    }
)
APPLIES: dict[SliceKind, frozenset[str]] = {
    "service": _SERVICE_METRICS,
    "unit": _SERVICE_METRICS
    | {
        "request_lead_time",
        "aged_demand",
        "objective_traceability",
        "early_involvement",
        "review_cadence",
        "proactive_contact",
    },
    "team": frozenset(
        {
            "unplanned_work",
            "request_lead_time",
            "aged_demand",
            "commitment_reliability",
            "schedule_slip",
            "portfolio_load",
            "regretted_attrition",
            "training_hours",
        }
    ),
}

# Why a metric has no meaning for a slice (the sliced scorecard's note for it).
_SURVEY = (
    "survey results are shown by group only where the anonymity rule allows (the survey's "
    "results page), never as a slice"
)
_WHY: dict[str, str] = {
    "budget_variance": "budget lines carry no business unit, service or team",
    "run_share": "budget lines carry no business unit, service or team",
    "forecast_calibration": "the forecast ledger is kept for the whole department",
    "key_person_coverage": "it weighs each service's skills across every person, not one slice",
    "on_call_load": "it spreads incidents over the whole on-call roster",
    "unplanned_work": "it measures a delivery team's own work, not a service's or a unit's",
    "portfolio_load": "it compares a team's projects with its capacity: a team slice only",
    "commitment_reliability": "commitments are made by teams: a team slice only",
    "schedule_slip": "commitments are made by teams: a team slice only",
    "regretted_attrition": "people belong to teams: a team slice only",
    "training_hours": "people belong to teams: a team slice only",
}


def left_out_reason(metric_id: str, kind: SliceKind) -> str | None:
    """None when the metric is computed for a slice of this kind, else why it is not."""
    if metric_id in APPLIES[kind]:
        return None
    why = _WHY.get(metric_id)
    if why is None:
        if metric_id in APPLIES["service"]:
            why = "its records are incidents and changes, which name a service, not a team"
        elif metric_id in APPLIES["unit"] or metric_id in APPLIES["team"]:
            why = f"its records carry no {WORDS[kind]}"
        else:
            why = _SURVEY
    return f"not computed for a {WORDS[kind]}: {why}"


def narrow(table: str, t: ibis.Table, s: Slice, lookup: Callable[[str], ibis.Table]) -> ibis.Table:
    """The records of `table` that belong to the slice (`t` itself when the slice says
    nothing about that table). `lookup` gives the unnarrowed service catalogue."""
    services = lookup("service")
    if s.kind == "service":
        # A service is named as users know it, by name or id; records name it by id.
        ids = services.filter((services.id == s.name) | (services.name == s.name)).id
        if table == "service":
            return t.filter(t.id.isin(ids))
        if table in ("incident", "change"):
            return t.filter(t.service.isin(ids) | (t.service == s.name))
        return t
    if s.kind == "team":
        if table in ("work_item", "commitment", "project", "person"):
            return t.filter(t.team == s.name)
        return t
    # business unit
    if table == "service":
        return t.filter(t.business_unit == s.name)
    if table in ("incident", "change"):
        return t.filter(t.service.isin(services.filter(services.business_unit == s.name).id))
    if table == "work_item":
        return t.filter(t.requester_unit == s.name)
    if table in ("project", "objective", "engagement", "stakeholder"):
        return t.filter(t.business_unit == s.name)
    return t
