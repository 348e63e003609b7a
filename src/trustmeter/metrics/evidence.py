"""Evidence: one service, team, project, stakeholder or person behind a figure.

A metric's computation names its evidence, and the scorecard entry carries the very same
objects (scorecard/model.py re-exports the class): one type from the query to the JSON.
It lives in a module of its own, free of ibis, so that the scorecard model stays light.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Evidence:
    """One service, team, project, stakeholder or person behind a figure."""

    kind: str  # service, team, project, stakeholder, business_unit, person
    name: str
    detail: str  # a plain sentence: "ERP: 9 of 14 P1/P2 incidents"
    value: float | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "name": self.name, "detail": self.detail, "value": self.value}
