"""The anonymity rule's arithmetic: which groups may be shown, and how small groups pool.

The rule as a whole (docs/surveys.md): nothing of a campaign is read until it has closed and
has at least `min_group` respondents (campaigns.py), and within it no group smaller than
`min_group` is shown, nor one that subtraction from the total would reveal (here).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

# Respondents without a group are pooled under this name (and anonymised like any group).
NO_GROUP = "(no group)"
OTHER_GROUPS = "other groups"
# FRAMEWORK.md: min_group defaults to 5 and is never below 3.
MIN_GROUP_FLOOR = 3


def least_group(min_group: Any) -> int:
    """The framework's `min_group`, never below MIN_GROUP_FLOOR: the one size threshold."""
    return max(MIN_GROUP_FLOOR, int(min_group))


@dataclass
class GroupFigure:
    """A group's respondents and the additive parts its figure is computed from."""

    name: str
    respondents: int
    parts: dict[str, float]
    groups: int = 1  # how many groups are pooled in it (for "other groups")


@dataclass
class Anonymised:
    shown: list[GroupFigure]
    # The hidden groups pooled, when the pool itself is big enough to show.
    other: GroupFigure | None
    hidden: int  # how many groups are hidden


def pool(name: str, figures: Sequence[GroupFigure]) -> GroupFigure:
    parts: dict[str, float] = {}
    for f in figures:
        for k, v in f.parts.items():
            parts[k] = parts.get(k, 0.0) + v
    return GroupFigure(
        name, sum(f.respondents for f in figures), parts, sum(f.groups for f in figures)
    )


def anonymise(figures: Sequence[GroupFigure], min_group: int) -> Anonymised:
    """Hide groups too small to show, and any group that subtraction would reveal.

    A group with fewer than `min_group` respondents (never below 3) gets no figure of its
    own; the hidden groups are pooled as "other groups". The overall figure is always shown,
    so a pool of one small group could be worked out as total − shown groups: while the pool
    has fewer than `min_group` respondents, the smallest shown group joins it. (With exactly
    one small group, the smallest shown group is therefore always hidden too.)
    """
    least = max(MIN_GROUP_FLOOR, int(min_group))
    hidden = [f for f in figures if f.respondents < least]
    shown = sorted(
        (f for f in figures if f.respondents >= least), key=lambda f: (f.respondents, f.name)
    )
    while hidden and shown and sum(f.respondents for f in hidden) < least:
        hidden.append(shown.pop(0))
    pooled = pool(OTHER_GROUPS, hidden) if hidden else None
    if pooled is not None and pooled.respondents < least:
        pooled = None
    return Anonymised(sorted(shown, key=lambda f: f.name), pooled, len(hidden))


def nps(promoters: float, detractors: float, count: float) -> float | None:
    """% promoters − % detractors."""
    if not count:
        return None
    return (promoters - detractors) / count * 100
