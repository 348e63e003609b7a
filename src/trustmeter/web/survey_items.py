"""A campaign's answers question by question, and their change since the previous campaign.

The survey metrics (relationships, talent) summarise a campaign; a CIO showing it to the
business also needs the questions no metric reads on its own: the relationship statements,
"would you involve IT early", burnout, importance and satisfaction per service. Each
question's figure follows the one anonymity rule of `surveys` (docs/surveys.md): no figure
at all when fewer than `min_group` people answered it, and per business unit or team only for
the groups `surveys.anonymise` shows for that question (hidden groups pooled as "other
groups" when the pool is big enough, else not at all), the subtraction rule included.

The change since the previous campaign of the same survey compares two figures that are
each readable under the rule, overall and for a group shown in both; never anything else.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from trustmeter import surveys
from trustmeter.metrics import surveyed
from trustmeter.metrics.common import as_datetime
from trustmeter.metrics.model import fetch
from trustmeter.store import Store
from trustmeter.store import campaigns as rows
from trustmeter.store.campaigns import CampaignRow

RELATIONSHIP_ITEMS = ("understands_needs", "executes_as_expected", "communicates_effectively")
# Burnout answers of 4 or 5 (1 = never … 5 = nearly all the time): "often worn out".
BURNOUT_OFTEN = 4.0

Counts = dict[str, dict[str, dict[str, int]]]  # item -> group -> value -> answers


def campaign_items(campaign: CampaignRow) -> list[surveys.Item]:
    """The questions of a campaign that have a figure (every one but the comment)."""
    its = surveys.items(campaign.kind, services=campaign.service_list())  # type: ignore[arg-type]
    return [i for i in its if not i.free_text]


def read_counts(store: Store, kind: str, name: str, its: Sequence[surveys.Item]) -> Counts:
    """How many answers each question got of each value, per group, in campaign `name`.

    Answers off the question's scale, and choices that are not among its choices, were never
    answers (as for the metrics) and are left out.
    """
    camp = surveyed.campaign_of(
        store.table("survey_response"),
        store.table("survey_answer"),
        kind,  # type: ignore[arg-type]
        (name, None),
    )
    a = camp.answers()
    by_id = {i.id: i for i in its}
    a = a.filter(a.item.isin(sorted(by_id)))
    agg = a.group_by([a.item, a.group, a.value_num, a.value_text]).aggregate(k=a.count())
    out: Counts = {}
    for r in fetch(agg):
        it = by_id[str(r["item"])]
        value = answer_value(it, r["value_num"], r["value_text"])
        if value is None:
            continue
        cell = out.setdefault(it.id, {}).setdefault(str(r["group"]), {})
        cell[value] = cell.get(value, 0) + int(r["k"])
    return out


def answer_value(it: surveys.Item, num: Any, text: Any) -> str | None:
    """A stored answer as the key it is counted under ("7", "yes"), or None when it is off
    the question's scale or not one of its choices."""
    if it.scale is not None:
        if num is None:
            return None
        lo, hi = it.scale
        v = float(num)
        return str(int(v)) if v == int(v) and lo <= v <= hi else None
    return str(text) if text in it.choices else None


def figure(it: surveys.Item, parts: dict[str, float]) -> dict[str, Any]:
    """A question's figure from its answer counts: n, and the mean on its scale and on
    0–100, or the count and share of each choice."""
    n = int(sum(parts.values()))
    out: dict[str, Any] = {"n": n}
    if it.scale is not None:
        mean = sum(float(v) * k for v, k in parts.items()) / n
        out["mean"] = mean
        out["score"] = surveys.scale_0_100(it, mean)
        if it.id == surveys.BURNOUT:
            often = sum(k for v, k in parts.items() if float(v) >= BURNOUT_OFTEN)
            out["often"] = often / n * 100
    else:
        out["counts"] = {c: int(parts.get(c, 0)) for c in it.choices}
        out["shares"] = {c: parts.get(c, 0) / n * 100 for c in it.choices}
    return out


def item_figures(counts: Counts, its: Sequence[surveys.Item], least: int) -> dict[str, Any]:
    """Every question's figure under the anonymity rule; an item fewer than `least` people
    answered has `n` None and no figure."""
    out: dict[str, Any] = {}
    for it in its:
        groups = counts.get(it.id, {})
        figures = [
            surveys.GroupFigure(g, int(sum(v.values())), {k: float(x) for k, x in v.items()})
            for g, v in groups.items()
        ]
        total = surveys.pool("all", figures)
        entry: dict[str, Any] = {
            "item": it.id,
            "wording": it.text,
            "scale": list(it.scale) if it.scale else None,
            "choices": list(it.choices) or None,
            "n": None,
            "by_group": {},
            "other_groups": None,
            "hidden_groups": 0,
        }
        out[it.id] = entry
        if total.respondents < least:
            continue
        entry.update(figure(it, total.parts))
        anon = surveys.anonymise(figures, least)
        entry["by_group"] = {f.name: figure(it, f.parts) for f in anon.shown}
        entry["hidden_groups"] = anon.hidden
        if anon.other is not None:
            entry["other_groups"] = {**figure(it, anon.other.parts), "groups": anon.other.groups}
    _hide_families(out)
    return out


def families() -> list[tuple[str, ...]]:
    """Questions a metric pools into one figure: each trust component's two statements, and
    the seven Westrum statements."""
    out = [
        tuple(i.id for i in surveys.CATALOGUE if i.component == c) for c in surveys.TRUST_COMPONENTS
    ]
    return [*out, tuple(surveys.WESTRUM_ITEMS)]


def _hide_families(out: dict[str, Any]) -> None:
    """Where one question of a family is hidden, hide the whole family there (overall, or for
    a group): the family's pooled figure (a metric's) minus the shown questions' would give
    the hidden one's answers, fewer than `min_group` of them."""
    for family in families():
        entries = [out[i] for i in family if i in out]
        if len(entries) < 2:
            continue
        if any(e["n"] is None for e in entries):
            for e in entries:
                e.update(n=None, by_group={}, other_groups=None, hidden_groups=0)
                for k in ("mean", "score", "counts", "shares"):
                    e.pop(k, None)
            continue
        everywhere = set.intersection(*(set(e["by_group"]) for e in entries))
        pooled = [e["other_groups"] for e in entries]
        same_pool = all(p is not None for p in pooled) and all(
            p["groups"] == pooled[0]["groups"] for p in pooled
        )
        any_dropped = any(set(e["by_group"]) != everywhere for e in entries)
        for e in entries:
            dropped = set(e["by_group"]) - everywhere
            e["by_group"] = {g: f for g, f in e["by_group"].items() if g in everywhere}
            e["hidden_groups"] += len(dropped)
            if e["other_groups"] is not None and (any_dropped or not same_pool):
                e["hidden_groups"] += e["other_groups"]["groups"]
                e["other_groups"] = None


def services_view(
    figures: dict[str, Any],
    services: Sequence[tuple[str, str | None]],
    gaps: Sequence[str] = (),
    group: str | None = None,
) -> list[dict[str, Any]]:
    """Importance against satisfaction per service, named, most important first: only the
    services whose two figures are both readable (overall, or for `group`). `gaps` are the
    services the importance-gap metric counts."""
    out = []
    for sid, name in services:
        imp = figures.get(surveys.IMPORTANCE_PREFIX + sid, {})
        sat = figures.get(surveys.SATISFACTION_PREFIX + sid, {})
        if group is not None:
            imp, sat = (
                imp.get("by_group", {}).get(group, {}),
                sat.get("by_group", {}).get(group, {}),
            )
        if imp.get("n") is None or sat.get("n") is None:
            continue
        out.append(
            {
                "id": sid,
                "name": name or sid,
                "importance": imp["score"],
                "satisfaction": sat["score"],
                "gap": imp["score"] - sat["score"],
                "importance_n": imp["n"],
                "satisfaction_n": sat["n"],
                "flagged": sid in gaps,
            }
        )
    return sorted(out, key=lambda s: (-s["importance"], s["name"]))


def shown_groups(figures: dict[str, Any]) -> list[str]:
    """The groups some question shows on their own: those with a view of their own."""
    return sorted({g for f in figures.values() for g in f["by_group"]})


def group_figures(figures: dict[str, Any], group: str) -> dict[str, Any]:
    """The questions' figures of one group, where the rule shows that group."""
    out = {}
    for id, f in figures.items():
        g = f["by_group"].get(group)
        if g is not None:
            out[id] = {"item": id, "wording": f["wording"], "scale": f["scale"], **g}
    return out


# -- the previous campaign ------------------------------------------------------------------


def found_campaigns(store: Store, kind: str) -> list[surveys.FoundCampaign]:
    """Every campaign of this kind, web and imported, as the metrics weigh them."""
    ends = rows.campaign_ends(store)
    closings = surveyed.campaign_closings(store.table("survey_response"), kind)  # type: ignore[arg-type]
    return [
        surveys.found_campaign(
            str(r["campaign"]), as_datetime(r["closed"]), int(r["respondents"]), ends
        )
        for r in fetch(closings)
    ]


def previous_campaign(
    store: Store, campaign: CampaignRow, least: int, now: datetime
) -> surveys.FoundCampaign | None:
    """The latest campaign of the same survey that was readable before this one: closed
    (by now, too) with at least `least` respondents, ordered as `surveys.pick_campaign`
    orders them. Undated imported campaigns have no place in time and are never it."""
    found = found_campaigns(store, campaign.kind)

    def order(f: surveys.FoundCampaign) -> tuple[datetime, datetime, str]:
        assert f.readable_from is not None
        return (f.readable_from, f.closed_at or datetime.min, f.name)

    this = next((f for f in found if f.name == campaign.name), None)
    if this is None or this.readable_from is None:
        return None
    earlier = [
        f
        for f in found
        if f.name != campaign.name
        and f.readable_from is not None
        and f.readable_from <= now
        and f.respondents >= least
        and order(f) < order(this)
    ]
    return max(earlier, key=order, default=None)


def as_of_day_after(found: surveys.FoundCampaign) -> Any:
    """The day to ask the metrics as of, so that they read this campaign: the day after its
    last day."""
    assert found.readable_from is not None
    return (found.readable_from - timedelta(microseconds=1)).date() + timedelta(days=1)


def change(now_f: dict[str, Any] | None, then_f: dict[str, Any] | None) -> dict[str, Any] | None:
    """One figure against the previous campaign's, when both are readable: both n's and the
    change (points on 0–100 for a scale, percentage points per choice)."""
    if not now_f or not then_f or now_f.get("n") is None or then_f.get("n") is None:
        return None
    out: dict[str, Any] = {"n": then_f["n"], "now_n": now_f["n"]}
    if "score" in now_f:
        out.update(
            mean=then_f["mean"], score=then_f["score"], change=now_f["score"] - then_f["score"]
        )
    else:
        out["shares"] = then_f["shares"]
        out["change"] = {c: now_f["shares"][c] - then_f["shares"][c] for c in now_f["shares"]}
    return out


def add_changes(current: dict[str, Any], previous: dict[str, Any], campaign: str) -> None:
    """Put `previous` beside every question's figure (overall and per shown group) that is
    readable in both campaigns."""
    for id, f in current.items():
        p = previous.get(id)
        c = change(f, p)
        f["previous"] = {"campaign": campaign, **c} if c else None
        for g, gf in f["by_group"].items():
            pg = p["by_group"].get(g) if p else None
            gc = change(gf, pg)
            gf["previous"] = {"campaign": campaign, **gc} if gc else None
