"""A campaign's results: response rates, the survey metrics as they read it, and comments.

Nothing is shown until the campaign has at least `min_group` respondents (FRAMEWORK.md: never
below 3). The figures are the survey metrics' own entries (`Scorer.measure`), whose per-group
breakdowns the metrics already anonymise; comments go through the same rule
(`surveys.anonymise`): a group's comments appear under its name only when the group may be
shown, the pooled "other groups" only when the pool is big enough, and none in submission
order.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from trustmeter import surveys
from trustmeter.store import Store
from trustmeter.store import campaigns as rows
from trustmeter.store.campaigns import CampaignRow
from trustmeter.web.scorecards import Scorecards


def min_group(scorecards: Scorecards) -> int:
    value = int(scorecards.framework.params.get("min_group", 5))
    return max(surveys.MIN_GROUP_FLOOR, value)


def _responses(store: Store, campaign: CampaignRow) -> Any:
    r = surveys.responses(store.table("survey_response"), campaign.kind)  # type: ignore[arg-type]
    return r.filter(r.campaign == campaign.name)


def respondents_by_group(store: Store, campaign: CampaignRow) -> dict[str, int]:
    r = _responses(store, campaign)
    df = r.group_by(r.group).aggregate(n=r.response_id.nunique()).execute()
    return {str(g): int(n) for g, n in df.itertuples(index=False)}


def comments(
    store: Store, campaign: CampaignRow, sizes: dict[str, int], least: int
) -> list[dict[str, Any]]:
    """Comments by shown group, the pool as "other groups", and nothing from hidden groups."""
    r = _responses(store, campaign)
    a = store.table("survey_answer")
    j = a.join(r, (a.source == r.source) & (a.response_id == r.response_id))
    j = j.filter(j.item == surveys.COMMENT, j.value_text.notnull())
    df = j.select(j.group, j.value_text).execute()
    anon = surveys.anonymise([surveys.GroupFigure(g, n, {}) for g, n in sizes.items()], least)
    shown = {f.name for f in anon.shown}
    pooled = set(sizes) - shown if anon.other is not None else set()
    by: dict[str, list[str]] = {}
    for group, text in df.itertuples(index=False):
        text = str(text).strip()
        if not text:
            continue
        if group in shown:
            by.setdefault(str(group), []).append(text)
        elif group in pooled:
            by.setdefault(surveys.OTHER_GROUPS, []).append(text)
    out: list[dict[str, Any]] = [
        {"group": g, "comments": sorted(by[g])} for g in sorted(by) if g in shown
    ]
    if surveys.OTHER_GROUPS in by and anon.other is not None:
        out.append(
            {
                "group": surveys.OTHER_GROUPS,
                "groups": anon.other.groups,
                "comments": sorted(by[surveys.OTHER_GROUPS]),
            }
        )
    return out


def response_rates(store: Store, campaign: CampaignRow) -> dict[str, Any]:
    groups = []
    invited = answered = 0
    for group, n, used in rows.response_rates(store, campaign.id):
        invited += n
        answered += used
        groups.append(
            {
                "group": group or surveys.NO_GROUP,
                "invited": n,
                "answered": used,
                "rate": round(used / n, 3) if n else None,
            }
        )
    return {
        "invited": invited,
        "answered": answered,
        "rate": round(answered / invited, 3) if invited else None,
        "by_group": groups,
    }


def results(
    store: Store, scorecards: Scorecards, campaign: CampaignRow, now: datetime
) -> dict[str, Any]:
    least = min_group(scorecards)
    sizes = respondents_by_group(store, campaign)
    total = sum(sizes.values())
    out: dict[str, Any] = {
        "campaign": {"id": campaign.id, "name": campaign.name, "kind": campaign.kind},
        "respondents": total,
        "min_group": least,
        "ready": total >= least,
        "metrics": [],
        "comments": [],
        "note": None,
    }
    if total < least:
        out["note"] = (
            f"Results appear once at least {least} people have answered, so that no answer "
            f"can be traced to a person ({total} so far)."
        )
        return out
    # The metrics read the latest campaign closed before a period's end: ask as of the day
    # after this campaign's last possible answer.
    last = min(campaign.ends_at, now)
    entries = scorecards.survey_metrics(campaign.kind, last.date() + timedelta(days=1))
    shown = [e for e in entries if e.breakdown.get("campaign") == campaign.name]
    if len(shown) < len(entries):
        out["note"] = (
            "A later campaign of the same kind closed on the same day, so the metrics read "
            "that one; only figures from this campaign are shown."
        )
    out["metrics"] = shown
    out["comments"] = comments(store, campaign, sizes, least)
    return out
