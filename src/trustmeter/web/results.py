"""A campaign's results and response rates, under the one anonymity rule of `surveys`.

The results are the survey metrics as they read the campaign, every question's figure
(survey_items.py), importance against satisfaction per service with the gaps named, the
change since the previous campaign of the survey, comments, and one business unit's (or
team's) view of them: all under the same rule.

Nothing of a campaign is shown while it is open: figures, comments and per-group response
counts appear once, when it closes, so no one can tie an answer to the person who just
answered by watching a page change. Then, as for the dashboard's survey metrics (which read
the same rule in `surveys.pick_campaign`), only if at least `min_group` people answered
(FRAMEWORK.md: never below 3), and per group only as `surveys.anonymise` allows. While open,
the count of answers is released in steps of `min_group` ("at least 10"), never one by one,
and never by group.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from trustmeter import surveys
from trustmeter.metrics import surveyed
from trustmeter.metrics.common import as_datetime
from trustmeter.metrics.model import fetch
from trustmeter.store import Store
from trustmeter.store import campaigns as rows
from trustmeter.store.campaigns import CampaignRow
from trustmeter.web import survey_items as items
from trustmeter.web.api import NotFound
from trustmeter.web.scorecards import Scorecards


def min_group(scorecards: Scorecards) -> int:
    return surveys.least_group(scorecards.framework.settings.min_group)


def _responses(store: Store, campaign: CampaignRow) -> Any:
    r = surveyed.responses(store.table("survey_response"), campaign.kind)  # type: ignore[arg-type]
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


def response_rates(
    store: Store, campaign: CampaignRow, least: int, now: datetime
) -> dict[str, Any]:
    """Invited and answered, overall and by business unit or team, under the rule.

    Invited counts are fixed when the campaign is created and always shown. While the
    campaign is open, `answered` is the count rounded down to a multiple of `least`
    (`answered_step`), and no group's count is shown. Once it has closed, the exact counts
    are shown for the groups `surveys.anonymise` shows, the rest pooled as "other groups"
    (`other_groups`, when the pool itself is big enough), like every survey figure. A group
    nobody answered from is hidden too: showing its 0 would let the total, less the zeros,
    name the group a lone answer came from.
    """
    counts = [(g or surveys.NO_GROUP, n, u) for g, n, u in rows.response_rates(store, campaign.id)]
    invited = sum(n for _, n, _ in counts)
    answered = sum(u for _, _, u in counts)
    closed = campaign.state(now) == "closed"
    if not closed:
        answered = answered // least * least
    shown_groups: set[str] = set()
    other: dict[str, Any] | None = None
    if closed:
        anon = surveys.anonymise(
            [surveys.GroupFigure(g, u, {"invited": n}) for g, n, u in counts], least
        )
        shown_groups = {f.name for f in anon.shown}
        if anon.other is not None:
            n = int(anon.other.parts.get("invited", 0))
            other = {
                "groups": anon.other.groups,
                "invited": n,
                "answered": anon.other.respondents,
                "rate": round(anon.other.respondents / n, 3) if n else None,
            }
    groups = []
    for g, n, u in counts:
        shown = g in shown_groups
        groups.append(
            {
                "group": g,
                "invited": n,
                "answered": u if shown else None,
                "rate": round(u / n, 3) if shown and n else None,
            }
        )
    return {
        "closed": closed,
        "invited": invited,
        "answered": answered,
        # While open: the count is shown in whole steps of this many answers.
        "answered_step": None if closed else least,
        "rate": round(answered / invited, 3) if invited else None,
        "by_group": groups,
        "other_groups": other,
    }


def results(
    store: Store,
    scorecards: Scorecards,
    campaign: CampaignRow,
    now: datetime,
    group: str | None = None,
) -> dict[str, Any]:
    """The campaign's results; with `group`, one business unit's (or team's) view: only the
    figures the anonymity rule shows for that group, the same ones the overview's tables
    show for it. A group with no figure of its own is NotFound, whatever the reason."""
    least = min_group(scorecards)
    closed = campaign.state(now) == "closed"
    out: dict[str, Any] = {
        "campaign": {"id": campaign.id, "name": campaign.name, "kind": campaign.kind},
        "closed": closed,
        "respondents": None,
        "min_group": least,
        "ready": False,
        "group": group,
        "metrics": [],
        "comments": [],
        "questions": {},
        "services": [],
        "gaps": None,
        "groups": [],
        "previous": None,
        "metric_changes": {},
        "note": None,
    }
    if not closed:
        out["note"] = (
            f"Results appear when the campaign closes (after {campaign.last_day:%d %B %Y}), "
            f"and only if at least {least} people answered: shown while answers arrive, they "
            "would tell who said what."
        )
        return _not_ready(out, group)
    sizes = respondents_by_group(store, campaign)
    total = sum(sizes.values())
    out["respondents"] = total
    if total < least:
        out["note"] = (
            f"Fewer than {least} people answered, so no results are shown: with so few, an "
            "answer could be traced to a person."
        )
        return _not_ready(out, group)
    out["ready"] = True
    # The metrics read the latest campaign closed by a period's end: ask as of the day after
    # this campaign's end.
    entries = scorecards.survey_metrics(campaign.kind, campaign.ends_at.date() + timedelta(days=1))
    shown = [e for e in entries if e.breakdown.get("campaign") == campaign.name]
    if len(shown) < len(entries):
        out["note"] = (
            "A later campaign of the same kind closed on the same day, so the metrics read "
            "that one; only figures from this campaign are shown."
        )
    its = items.campaign_items(campaign)
    questions = items.item_figures(
        items.read_counts(store, campaign.kind, campaign.name, its), its, least
    )
    # The services the importance-gap metric counts, named; None when it has no figure from
    # this campaign (superseded, or no service rated by enough people): never a made-up 0.
    gap_metric = next((e for e in shown if e.id == "importance_gap" and e.value is not None), None)
    gap_ids = [str(s) for s in gap_metric.breakdown.get("gaps", [])] if gap_metric else []
    names = {sid: name or sid for sid, name in campaign.service_list()}
    out["gaps"] = [names.get(s, s) for s in gap_ids] if gap_metric else None
    comment_groups = comments(store, campaign, sizes, least)
    out["groups"] = sorted(
        set(items.shown_groups(questions))
        | {g for e in shown for g in e.breakdown.get("by_group") or {}}
        | {c["group"] for c in comment_groups if c["group"] != surveys.OTHER_GROUPS}
    )
    out["previous"], prev_entries = _against_previous(
        store, scorecards, campaign, its, questions, least, now
    )
    if group is not None:
        if group not in out["groups"]:
            raise NotFound(
                f"no figures can be shown for {group!r} in this campaign: a group is shown "
                f"only when at least {least} of its people answered, and not when the others "
                "would give it away by subtraction"
            )
        out["questions"] = items.group_figures(questions, group)
        out["services"] = items.services_view(questions, campaign.service_list(), gap_ids, group)
        out["metrics"] = _group_metrics(shown, prev_entries, group)
        out["comments"] = [c for c in comment_groups if c["group"] == group]
        return out
    out["questions"] = questions
    out["services"] = items.services_view(questions, campaign.service_list(), gap_ids)
    out["metrics"] = shown
    out["metric_changes"] = {
        e.id: c for e in shown if (c := _metric_change(e, prev_entries.get(e.id))) is not None
    }
    out["comments"] = comment_groups
    return out


def _against_previous(
    store: Store,
    scorecards: Scorecards,
    campaign: CampaignRow,
    its: list[surveys.Item],
    questions: dict[str, Any],
    least: int,
    now: datetime,
) -> tuple[dict[str, Any] | None, dict[str, Any]]:
    """Put the previous campaign's figures beside this one's questions (where readable in
    both); returns what the previous campaign was and its metric entries by id."""
    prev = items.previous_campaign(store, campaign, least, now)
    if prev is None:
        return None, {}
    before = items.item_figures(items.read_counts(store, campaign.kind, prev.name, its), its, least)
    items.add_changes(questions, before, prev.name)
    entries = {
        e.id: e
        for e in scorecards.survey_metrics(campaign.kind, items.as_of_day_after(prev))
        if e.breakdown.get("campaign") == prev.name
    }
    about = {
        "campaign": prev.name,
        "respondents": prev.respondents,
        "closed_at": prev.closed_at.isoformat() if prev.closed_at else None,
    }
    return about, entries


def _not_ready(out: dict[str, Any], group: str | None) -> dict[str, Any]:
    if group is not None:
        raise NotFound(f"no figures can be shown for {group!r}: {out['note']}")
    return out


def _metric_change(now_e: Any, then_e: Any) -> dict[str, Any] | None:
    """A metric's figure against the previous campaign's, when both have one."""
    if then_e is None or now_e.value is None or then_e.value is None:
        return None
    return {
        "campaign": then_e.breakdown.get("campaign"),
        "value": then_e.value,
        "n": then_e.breakdown.get("respondents"),
        "now_n": now_e.breakdown.get("respondents"),
        "change": now_e.value - then_e.value,
    }


def _group_metrics(shown: list[Any], prev: dict[str, Any], group: str) -> list[dict[str, Any]]:
    """Each metric's figure for one group, where its breakdown shows that group."""
    out = []
    for e in shown:
        g = (e.breakdown.get("by_group") or {}).get(group)
        if g is None:
            continue
        then = prev.get(e.id)
        then_groups = (then.breakdown.get("by_group") or {}) if then is not None else {}
        pg = then_groups.get(group)
        change = None
        if pg is not None and g["value"] is not None and pg["value"] is not None:
            change = {
                "campaign": prev[e.id].breakdown.get("campaign"),
                "value": pg["value"],
                "n": pg["respondents"],
                "now_n": g["respondents"],
                "change": g["value"] - pg["value"],
            }
        out.append(
            {
                "id": e.id,
                "name": e.name,
                "unit": e.unit,
                "value": g["value"],
                "respondents": g["respondents"],
                "previous": change,
            }
        )
    return out


def imported_campaigns(store: Store, least: int, at: datetime) -> list[dict[str, Any]]:
    """Campaigns that came in as survey exports (not run from the web app), newest first.

    Under the same rule as the metrics: an imported campaign counts as closed at the end of
    the day of its last answer, and its respondent count is shown only once it has closed
    with at least `least` respondents (`respondents` is null before then).
    """
    web = {c.name for c in rows.list_campaigns(store)}
    ends = rows.campaign_ends(store)
    out = []
    for kind in (surveys.STAKEHOLDER, surveys.TEAM):
        closings = surveyed.campaign_closings(store.table("survey_response"), kind)
        for r in fetch(closings):
            name = str(r["campaign"])
            if name in web:
                continue
            found = surveys.found_campaign(
                name, as_datetime(r["closed"]), int(r["respondents"]), ends
            )
            readable = (
                found.readable_from is not None
                and found.readable_from <= at
                and found.respondents >= least
            )
            out.append(
                {
                    "name": name,
                    "kind": kind,
                    "last_answer": found.closed_at.date().isoformat() if found.closed_at else None,
                    "readable": readable,
                    "respondents": found.respondents if readable else None,
                }
            )
    return sorted(out, key=lambda c: (c["last_answer"] or "", c["name"]), reverse=True)
