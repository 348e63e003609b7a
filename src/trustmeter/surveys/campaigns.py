"""Which campaign a period reads: the anonymity rule's first half (docs/surveys.md).

A campaign is readable once it has closed, both by the period's end and by now, and only
when it has at least `min_group` respondents; among readable campaigns the latest wins.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

CampaignKey = tuple[str, datetime | None]  # (name, closed_at)


def utc_now() -> datetime:
    """Now, as naive UTC like every stored time: no campaign is read before it has closed,
    whatever period or `as_of` is asked for."""
    return datetime.now(UTC).replace(tzinfo=None)


@dataclass(frozen=True)
class FoundCampaign:
    """A campaign of one kind as `pick_campaign` weighs it."""

    name: str
    # Shown as `closed_at`: a web campaign's end, or an imported campaign's last submitted_at.
    closed_at: datetime | None
    # From when its figures may be read: a web campaign's end (closing date or early close);
    # for an imported campaign, the start of the day after its last answer. None: undated.
    readable_from: datetime | None
    respondents: int

    @property
    def key(self) -> CampaignKey:
        return (self.name, self.closed_at)


def found_campaign(
    name: str, last_answer: datetime | None, respondents: int, web_ends: dict[str, datetime]
) -> FoundCampaign:
    """A campaign's closing: the web campaign's own end when it was run from the web app,
    else the end of the day of its last answer (an import has no closing date)."""
    end = web_ends.get(name)
    if end is not None:
        return FoundCampaign(name, end, end, respondents)
    if last_answer is None:
        return FoundCampaign(name, None, None, respondents)
    day_after = datetime(last_answer.year, last_answer.month, last_answer.day) + timedelta(days=1)
    return FoundCampaign(name, last_answer, day_after, respondents)


def pick_campaign(
    found: Sequence[FoundCampaign], end: datetime, least: int, now: datetime
) -> FoundCampaign | None:
    """The campaign a period's survey figures read, or None: the anonymity rule's first half.

    Only a campaign that has closed, both by the period's end and by now (a future `as_of`
    never reads an open campaign), and that has at least `least` respondents, is readable:
    a smaller one is never picked, even over an older one, and never shown. Among readable
    campaigns the latest close wins (ties: the later last answer, then the greater name).
    When no campaign carries a date at all, the greatest name among the big enough ones is
    used ("2024-Q1" < "2024-Q2"); undated campaigns are ignored as soon as any is dated.
    """
    big = [f for f in found if f.respondents >= least]
    if any(f.readable_from is not None for f in found):
        usable = [
            f for f in big if f.readable_from is not None and f.readable_from <= min(end, now)
        ]
        return max(
            usable,
            key=lambda f: (f.readable_from, f.closed_at or datetime.min, f.name),
            default=None,
        )
    return max(big, key=lambda f: f.name, default=None)
