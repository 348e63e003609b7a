"""The canonical records of FRAMEWORK.md: every importer writes these, every metric reads them.

One declaration per record kind drives the database schema, the importer's validation,
the `--help` text and the docs, so a field is added in exactly one place.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

FieldType = Literal["text", "timestamp", "date", "number", "integer", "bool", "enum", "severity"]

SEVERITIES = ("P1", "P2", "P3", "P4", "P5")


@dataclass(frozen=True)
class Field:
    name: str
    type: FieldType = "text"
    required: bool = False
    choices: tuple[str, ...] = ()
    help: str = ""
    # Text fields that name another record (service, team, person...): a stub of that kind is
    # created from the name when it has no record of its own (FRAMEWORK.md, canonical records).
    refers_to: str | None = None
    # Bounds for numbers, checked on import.
    minimum: float | None = None
    maximum: float | None = None


@dataclass(frozen=True)
class RecordKind:
    kind: str  # the CLI's name, plural: "incidents"
    table: str  # the database table: "incident"
    fields: tuple[Field, ...]
    # The fields that identify one record within a source. For kinds with an `id`, that is `id`.
    key: tuple[str, ...] = ("id",)
    help: str = ""
    aliases: tuple[str, ...] = field(default=())

    def field(self, name: str) -> Field:
        for f in self.fields:
            if f.name == name:
                return f
        raise KeyError(name)

    @property
    def field_names(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields)

    @property
    def required(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields if f.required)


def _f(name: str, type: FieldType = "text", **kw: object) -> Field:
    return Field(name, type, **kw)  # type: ignore[arg-type]


BOOL = "bool"

KINDS: tuple[RecordKind, ...] = (
    RecordKind(
        "services",
        "service",
        (
            _f("id", required=True),
            _f("name", required=True),
            _f("tier", "integer", minimum=1, maximum=3, help="1 = business-critical, 2, 3"),
            _f("owner_team", refers_to="team"),
            _f("business_unit"),
            _f("slo_availability", "number", minimum=0, maximum=100, help="availability SLO in %"),
        ),
        help="IT services in the catalogue",
    ),
    RecordKind(
        "incidents",
        "incident",
        (
            _f("id", required=True),
            _f("opened_at", "timestamp", required=True),
            _f("severity", "severity", help="P1–P5 after mapping"),
            _f("service", refers_to="service"),
            _f("acknowledged_at", "timestamp"),
            _f("resolved_at", "timestamp"),
            _f("impact_start", "timestamp", help="default: opened_at"),
            _f("impact_end", "timestamp", help="default: resolved_at"),
            _f("is_maintenance", "bool"),
            _f("caused_by_change", help="id of the change that caused it"),
            _f("problem", help="problem record or cause category"),
            _f("resolver", refers_to="person"),
            _f("title"),
        ),
        help="incidents and outages",
    ),
    RecordKind(
        "changes",
        "change",
        (
            _f("id", required=True),
            _f("deployed_at", "timestamp", required=True, help="or implemented_at"),
            _f("service", refers_to="service"),
            _f("kind", "enum", choices=("deployment", "standard", "normal", "emergency")),
            _f("environment", help="production unless told otherwise"),
            _f("outcome", "enum", choices=("success", "failed", "rolled_back")),
            _f("created_at", "timestamp"),
            _f("first_commit_at", "timestamp"),
            _f("title"),
        ),
        help="changes and deployments",
    ),
    RecordKind(
        "work-items",
        "work_item",
        (
            _f("id", required=True),
            _f("created_at", "timestamp", required=True),
            _f(
                "kind",
                "enum",
                choices=("incident", "request", "story", "bug", "task", "epic", "change"),
            ),
            _f("planned", "bool"),
            _f("category", "enum", choices=("run", "grow", "transform")),
            _f("started_at", "timestamp"),
            _f("done_at", "timestamp"),
            _f("due_on", "date"),
            _f("team", refers_to="team"),
            _f("requester_unit"),
            _f("project"),
            _f("objective"),
            _f("effort_hours", "number", minimum=0),
            _f("title"),
        ),
        help="tickets, requests, stories and tasks",
    ),
    RecordKind(
        "commitments",
        "commitment",
        (
            _f("id", required=True),
            _f(
                "kind",
                "enum",
                required=True,
                choices=("sprint", "milestone", "release", "due_date", "objective"),
            ),
            _f("due_on", "date", required=True),
            _f("committed_on", "date"),
            _f("delivered_on", "date"),
            _f("team", refers_to="team"),
            _f("project"),
            _f("scope_committed", "number", minimum=0, help="scope at the sprint's start"),
            _f(
                "scope_delivered", "number", minimum=0, help="of the committed scope, what was done"
            ),
            _f("scope_added", "number", minimum=0, help="scope added after the sprint started"),
            _f("title"),
        ),
        help="sprints, milestones, releases and promised dates",
    ),
    RecordKind(
        "projects",
        "project",
        (
            _f("id", required=True),
            _f("name", required=True),
            _f("sponsor"),
            _f("business_unit"),
            _f("objective"),
            _f("category", "enum", choices=("run", "grow", "transform")),
            _f("team", refers_to="team"),
            _f("proposed_on", "date"),
            _f("it_engaged_on", "date"),
            _f("approved_on", "date"),
            _f("started_on", "date"),
            _f("planned_end", "date"),
            _f("actual_end", "date"),
            _f("budget_planned", "number"),
            _f("budget_actual", "number"),
            _f(
                "status",
                "enum",
                choices=("proposed", "approved", "active", "on_hold", "done", "cancelled"),
            ),
        ),
        help="projects in the portfolio",
    ),
    RecordKind(
        "objectives",
        "objective",
        (_f("id", required=True), _f("name", required=True), _f("business_unit")),
        help="business objectives",
    ),
    RecordKind(
        "engagements",
        "engagement",
        (
            _f("id", required=True),
            _f("date", "timestamp", required=True),
            _f("stakeholder", refers_to="stakeholder"),
            _f("business_unit"),
            _f(
                "kind",
                "enum",
                choices=(
                    "planning",
                    "review",
                    "steering",
                    "advice",
                    "request",
                    "escalation",
                    "incident",
                ),
            ),
            _f("initiated_by", "enum", choices=("it", "business")),
        ),
        help="meetings and contacts with the business",
    ),
    RecordKind(
        "stakeholders",
        "stakeholder",
        (
            _f("id", required=True),
            _f("name", required=True),
            _f("role"),
            _f("business_unit"),
            _f("key", "bool"),
            _f("relationship_owner"),
            _f("email"),
        ),
        help="business stakeholders",
    ),
    RecordKind(
        "people",
        "person",
        (
            _f("id", required=True, help="a pseudonym is enough"),
            _f("team", refers_to="team"),
            _f("role"),
            _f("started_on", "date"),
            _f("left_on", "date"),
            _f("leave_kind", "enum", choices=("voluntary", "involuntary")),
            _f("regretted", "bool"),
            _f("on_call", "bool"),
        ),
        help="IT staff (pseudonymous)",
    ),
    RecordKind(
        "skills",
        "skill",
        (
            _f("person", required=True, refers_to="person"),
            _f("skill_or_service", required=True),
            _f("level", "integer", required=True, minimum=1, maximum=7, help="SFIA level 1–7"),
        ),
        key=("person", "skill_or_service"),
        help="skills and service knowledge per person",
    ),
    RecordKind(
        "learning",
        "learning",
        (
            _f("person", required=True, refers_to="person"),
            _f("date", "date", required=True),
            _f("hours", "number", required=True, minimum=0),
            _f("activity"),
        ),
        key=("person", "date", "activity"),
        help="formal learning hours",
    ),
    RecordKind(
        "budget",
        "budget_line",
        (
            _f("period", "date", required=True, help="first day of the month or quarter"),
            _f("category", "enum", required=True, choices=("run", "grow", "transform")),
            _f("planned", "number", required=True),
            _f("actual", "number"),
            _f("line"),
        ),
        key=("period", "category", "line"),
        help="budget lines, planned and actual",
    ),
    RecordKind(
        "survey-responses",
        "survey_response",
        (
            _f("id", required=True, help="response id; a hash of the row when absent"),
            _f("campaign", required=True),
            _f("kind", "enum", required=True, choices=("stakeholder", "team")),
            _f("group", help="business unit or team"),
            _f("stakeholder", help="respondent, for attributed stakeholder surveys"),
            _f("submitted_at", "timestamp"),
        ),
        help="survey responses; item answers are stored one per row in survey_answer",
    ),
)

BY_KIND: dict[str, RecordKind] = {k.kind: k for k in KINDS}
BY_TABLE: dict[str, RecordKind] = {k.table: k for k in KINDS}

# Teams have no import of their own: they are created from the names that records carry.
TEAM_TABLE = "team"
# The source of stub records made from names seen on other records (a service an incident
# names, a person who resolved one); they are not catalogue or staff records.
AUTO_SOURCE = "auto"


def kind(name: str) -> RecordKind:
    """Look up a record kind by its CLI name ("incidents") or table name ("incident")."""
    if name in BY_KIND:
        return BY_KIND[name]
    if name in BY_TABLE:
        return BY_TABLE[name]
    raise KeyError(name)


# The fields that say when something happened, not when it is planned or due: the latest of
# them is the day a kind's records "run to" (FRAMEWORK.md, "Freshness"). Catalogues, HR
# snapshots, budgets (their plans run ahead of time) and surveys (a campaign now and then,
# not a stream) have none: a period after their last row is not a sign of a stale export.
EVENTS: dict[str, tuple[str, ...]] = {
    "incident": ("opened_at", "resolved_at"),
    "change": ("deployed_at", "created_at"),
    "work_item": ("created_at", "done_at"),
    "commitment": ("committed_on", "delivered_on"),
    "project": ("proposed_on", "approved_on", "started_on", "actual_end"),
    "engagement": ("date",),
    "learning": ("date",),
}
