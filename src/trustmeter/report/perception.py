"""The perception chart: stakeholder-rated reliability against measured stability and delivery."""

from __future__ import annotations

from typing import Any

from trustmeter.report.format import fmt_num, fmt_score, num, r1, wrap
from trustmeter.scorecard.model import Scorecard

QUADRANTS = {
    # (measured high, perceived high): (key, heading, explanation)
    (True, True): (
        "trusted",
        "Trusted",
        "Measured and perceived reliability agree, and both are high.",
    ),
    (True, False): (
        "invisible_improvement",
        "Invisible improvement",
        "The figures are better than the business feels they are: communicate it.",
    ),
    (False, True): (
        "borrowed_trust",
        "Borrowed trust",
        "The business trusts IT more than the figures justify: a risk if an outage comes.",
    ),
    (False, False): (
        "order_taker",
        "Order taker",
        "Both the figures and the business's view are low.",
    ),
}


def perception_view(current: Scorecard) -> dict[str, Any] | None:
    p = current.perception
    if p is None:
        return None
    perceived, measured = num(p.perceived), num(p.measured)
    if perceived is None or measured is None:
        return None
    t = num(p.threshold)
    t = 60.0 if t is None else max(1.0, min(99.0, t))
    # The scorecard's quadrant, decided on the unrounded figures; the chart only places it.
    qkey = p.quadrant
    heading, explain = next((h, e) for k, h, e in QUADRANTS.values() if k == qkey)
    size, ox, oy = 300.0, 76.0, 16.0

    def px(v: float) -> float:
        return r1(ox + size * max(0.0, min(100.0, v)) / 100)

    def py(v: float) -> float:
        return r1(oy + size - size * max(0.0, min(100.0, v)) / 100)

    tx, ty = px(t), py(t)
    dx, dy = px(perceived), py(measured)
    quads = []
    heading_y = heading_end = -1000.0
    for (mh, ph), (k, head, _) in QUADRANTS.items():
        x = tx if ph else ox
        w = (ox + size - tx) if ph else (tx - ox)
        y = oy if mh else ty
        h = (ty - oy) if mh else (oy + size - ty)
        lines = wrap(head, max(int(w / 8), 8), 3)
        block = 16 * (len(lines) - 1)
        # Headings sit at the outer edge, away from the threshold lines; in our own quadrant
        # the heading moves to the inner edge when the dot would cover it.
        outer = y + 22 if mh else y + h - 14 - block
        inner = y + h - 12 - block if mh else y + 22
        cy = outer
        if k == qkey:
            if outer - 26 <= dy <= outer + block + 16:
                cy = inner
            heading_y, heading_end = cy, cy + block
        quads.append(
            {
                "key": k,
                "x": r1(x),
                "y": r1(y),
                "w": r1(w),
                "h": r1(h),
                "cx": r1(x + w / 2),
                "cy": r1(cy),
                "lines": lines,
                "active": k == qkey,
            }
        )
    q_left, q_right = (tx, ox + size) if perceived >= t else (ox, tx)
    label_x = min(max(dx, q_left + 44), q_right - 44) if q_right - q_left >= 88 else dx

    # The "we are here" label goes on the side of the dot away from the quadrant's heading.
    def clear(y: float) -> bool:
        return oy + 12 < y < oy + size - 4 and not heading_y - 22 < y < heading_end + 22

    above, below = dy - 16, dy + 27
    label_y = below if clear(below) or not clear(above) else above
    return {
        "label_x": r1(label_x),
        "label_y": r1(label_y),
        "key": qkey,
        "heading": heading,
        "label": p.label,
        "explain": explain,
        "perceived": fmt_score(perceived),
        "measured": fmt_score(measured),
        "threshold": fmt_num(t),
        "dot_x": dx,
        "dot_y": dy,
        "tx": tx,
        "ty": ty,
        "ox": ox,
        "oy": oy,
        "size": size,
        "quads": quads,
        "width": ox + size + 20,
        "height": oy + size + 48,
    }
