"""The next focus: what holds the organisation back most, with its evidence and actions.

Start from the lowest failing gate. Within it, the metrics that hold the gate back are
ordered by gap × weight, except that Production Stability and Delivery stay first until
their gate passes (as an SRE team freezes features while its error budget is spent).
A figure that cannot be computed is listed after the scored ones, as data to collect.
"""

from __future__ import annotations

from typing import Any

from trustmeter.framework.model import Framework

FIRST_AREAS = ("stability", "delivery")
MAX_ITEMS = 5


def _item(fw: Framework, m: dict[str, Any], reason: str) -> dict[str, Any]:
    weight = float(m["weight"])
    gap = round(100.0 - float(m["score"]), 1) if m["status"] == "ok" else None
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
        "weight": weight,
        "priority": round(gap * weight, 1) if gap is not None else None,
        "reason": reason,
        "evidence": m["evidence"][:3],
        "actions": list(fw.metrics[m["id"]].actions),
        "note": m.get("note"),
    }


def _candidates(
    fw: Framework, card: dict[str, Any], failing: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    by_id = {m["id"]: m for a in card["areas"] for m in a["metrics"]}
    items: dict[str, dict[str, Any]] = {}
    for cond in failing:
        if cond["kind"] == "metric":
            m = by_id.get(cond["target"])
            if m and m["status"] != "left_out":
                items.setdefault(m["id"], _item(fw, m, cond["reason"]))
            continue
        area = next(a for a in card["areas"] if a["id"] == cond["target"])
        for m in area["metrics"]:
            if m["status"] == "left_out" or (m["status"] == "ok" and m["score"] >= 100):
                continue
            items.setdefault(m["id"], _item(fw, m, cond["reason"]))
    return list(items.values())


def _order(item: dict[str, Any]) -> tuple[int, int, float]:
    not_first = 0 if item["area"] in FIRST_AREAS else 1
    unscored = 0 if item["priority"] is not None else 1
    return (unscored, not_first, -(item["priority"] or 0.0))


def next_focus(fw: Framework, card: dict[str, Any]) -> dict[str, Any]:
    stage = card["stage"]
    failing = stage["blocked_by"]
    if failing:
        target_level = failing[0]["stage"]
        target_name = failing[0]["stage_name"]
    else:
        # Every gate passes: keep the weakest figures improving.
        target_level, target_name = stage["level"], stage["name"]
        failing = [
            {"kind": "area", "target": a["id"], "reason": "strengthen the weakest figures"}
            for a in card["areas"]
        ]
    items = sorted(_candidates(fw, card, failing), key=_order)
    first_blocked = [c for c in stage["blocked_by"] if c["target"] in FIRST_AREAS]
    if first_blocked:
        items = sorted(items, key=lambda i: (i["area"] not in FIRST_AREAS, *_order(i)))
    scored = [i for i in items if i["priority"] is not None][:MAX_ITEMS]
    unmeasured = [i for i in items if i["priority"] is None][:MAX_ITEMS]
    return {
        "stage": target_level,
        "stage_name": target_name,
        "summary": _summary(card, target_name, scored, unmeasured),
        "items": scored,
        "unmeasured": unmeasured,
    }


def _summary(
    card: dict[str, Any],
    target: str,
    scored: list[dict[str, Any]],
    unmeasured: list[dict[str, Any]],
) -> str:
    blocked = card["stage"]["blocked_by"]
    if not blocked:
        head = f"Every gate passes at {card['stage']['name']}."
    else:
        reasons = "; ".join(b["reason"] for b in blocked[:3])
        head = f"To reach {target}: {reasons}."
    if scored:
        top = scored[0]
        ev = f" ({top['evidence'][0]['detail']})" if top["evidence"] else ""
        head += f" Start with {top['name'].lower()}{ev}."
    elif unmeasured:
        head += (
            f" First measure {unmeasured[0]['name'].lower()}: {unmeasured[0]['note'] or 'no data'}."
        )
    return head
