"""The additive parts of survey figures: sums and counts per group that add up when groups are
pooled ("other groups", the whole campaign), and the figures read from them."""

from __future__ import annotations

import ibis

from trustmeter.surveys import DETRACTOR_MAX, PROMOTER_MIN, nps


def nps_parts(t: ibis.Table) -> dict[str, ibis.Value]:
    """The additive parts of an NPS over answers on the 0–10 scale."""
    return {
        "promoters": t.value_num.count(where=t.value_num >= PROMOTER_MIN),
        "detractors": t.value_num.count(where=t.value_num <= DETRACTOR_MAX),
        "count": t.value_num.count(),
    }


def nps_of(parts: dict[str, float]) -> float | None:
    return nps(parts["promoters"], parts["detractors"], parts["count"])


def mean_parts(t: ibis.Table) -> dict[str, ibis.Value]:
    """The additive parts of a mean over numeric answers: their sum and count."""
    return {"sum": t.value_num.sum(), "count": t.value_num.count()}


def nps_counts(parts: dict[str, float]) -> dict[str, int]:
    """Promoters, passives and detractors (all 0 when nobody answered the item)."""
    promoters, detractors, count = (
        int(parts.get(k, 0)) for k in ("promoters", "detractors", "count")
    )
    return {
        "promoters": promoters,
        "passives": count - promoters - detractors,
        "detractors": detractors,
    }
