"""Chart geometry for "Forecasts and flow": weekly throughput, the forecast histogram and the
calibration plot, as plain numbers for the SVG templates.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from trustmeter.report.format import as_dict, as_list, fmt_date, fmt_num, num, r1, share, text

LEVELS = ("50", "70", "85", "95")


ACCENT, SOFT, WARM, INK, MUTED, GRID = (
    "#1f4e79",
    "#b9cde2",
    "#b4432a",
    "#1c2430",
    "#5b6573",
    "#e6e9ee",
)


MARK_COLOURS = {"50": "#8fb1d3", "70": "#5a8dbf", "85": "#1f4e79", "95": "#0f2a44"}


def throughput_chart(name: str, stab: dict[str, Any], tp: dict[str, Any]) -> dict[str, Any] | None:
    weeks = [as_dict(w) for w in as_list(stab.get("weeks")) or as_list(tp.get("weeks"))]
    values = [num(w.get("completions")) or 0.0 for w in weeks]
    if not weeks:
        return None
    mean, lo, hi = num(stab.get("mean")), num(stab.get("lower_limit")), num(stab.get("upper_limit"))
    width, height = 460.0, 210.0
    left, right, top, bottom = 34.0, 452.0, 14.0, 172.0
    ymax = max([*values, hi or 0.0, 1.0])
    ymax = _nice(ymax)

    def y(v: float) -> float:
        return r1(bottom - (bottom - top) * max(0.0, min(v, ymax)) / ymax)

    n = len(weeks)
    slot = (right - left) / n
    bars = []
    for i, (w, v) in enumerate(zip(weeks, values, strict=True)):
        out = (hi is not None and v > hi) or (lo is not None and lo > 0 and v < lo)
        label = fmt_date(w.get("week"))
        bars.append(
            {
                "x": r1(left + slot * i + slot * 0.15),
                "y": y(v),
                "w": r1(slot * 0.7),
                "h": r1(bottom - y(v)),
                "fill": WARM if out else ACCENT,
                "title": f"Week of {label}: {fmt_num(v, 0)} done"
                + (" (outside the natural limits)" if out else ""),
            }
        )
    k = max(1, -(-n // 6))
    xticks = [
        {"x": r1(left + slot * (i + 0.5)), "label": _short_date(text(w.get("week")))}
        for i, w in enumerate(weeks)
        if i % k == 0
    ]
    lines = []
    if mean is not None:
        lines.append({"y": y(mean), "dash": "", "label": f"mean {fmt_num(mean, 1)}", "c": INK})
    if hi is not None:
        lines.append({"y": y(hi), "dash": "5 4", "label": f"upper {fmt_num(hi, 1)}", "c": WARM})
    if lo is not None and lo > 0:
        lines.append({"y": y(lo), "dash": "5 4", "label": f"lower {fmt_num(lo, 1)}", "c": WARM})
    grid = [{"y": y(g), "label": fmt_num(g, 0)} for g in _ticks(ymax)]
    desc = (
        f"{name}: completions in each of {n} full weeks, "
        + ", ".join(fmt_num(v, 0) for v in values)
        + (f"; mean {fmt_num(mean, 1)} a week" if mean is not None else "")
        + (
            f", natural process limits {fmt_num(lo, 1)} to {fmt_num(hi, 1)}"
            if hi is not None
            else "; too few weeks for process limits"
        )
    )
    return {
        "width": width,
        "height": height,
        "left": left,
        "right": right,
        "top": top,
        "bottom": bottom,
        "bars": bars,
        "xticks": xticks,
        "lines": lines,
        "grid": grid,
        "desc": desc,
    }


def histogram(
    name: str, h: dict[str, Any], marks: dict[str, float | None]
) -> dict[str, Any] | None:
    bins = [as_dict(b) for b in as_list(h.get("bins"))]
    bins = [b for b in bins if num(b.get("lo")) is not None and num(b.get("hi")) is not None]
    if not bins:
        return None
    trials = num(h.get("trials")) or sum(num(b.get("trials")) or 0 for b in bins) or 1.0
    width, height = 460.0, 210.0
    left, right, top, bottom = 34.0, 452.0, 58.0, 172.0
    x_lo = min(num(b["lo"]) or 0 for b in bins)
    x_hi = max(num(b["hi"]) or 0 for b in bins) + 1
    for v in marks.values():
        if v is not None:
            x_lo, x_hi = min(x_lo, v), max(x_hi, v + 1)
    span = max(x_hi - x_lo, 1.0)

    def x(v: float) -> float:
        return r1(left + (right - left) * (v - x_lo) / span)

    peak = max(num(b.get("trials")) or 0 for b in bins) or 1.0
    bars = []
    for b in bins:
        blo, bhi, n = num(b["lo"]) or 0, num(b["hi"]) or 0, num(b.get("trials")) or 0
        hgt = (bottom - top) * n / peak
        rng = fmt_num(blo, 0) if blo == bhi else f"{fmt_num(blo, 0)}–{fmt_num(bhi, 0)}"
        bars.append(
            {
                "x": x(blo) + 0.5,
                "w": max(r1(x(bhi + 1) - x(blo) - 1), 0.8),
                "y": r1(bottom - hgt),
                "h": r1(hgt),
                "title": f"{rng} items: {share(n / trials)} of trials",
            }
        )
    mark_list = []
    for row, lvl in enumerate(("50", "70", "85", "95")):
        v = marks[lvl]
        if v is None:
            continue
        mx = x(v + 0.5)
        mark_list.append(
            {
                "x": mx,
                "label_y": r1(12 + 12 * row),
                "anchor": "end" if mx > right - 70 else "start" if mx < left + 70 else "middle",
                "label": f"{lvl} %: ≥ {fmt_num(v, 0)}",
                "colour": MARK_COLOURS[lvl],
            }
        )
    k = max(1, -(-len(bins) // 8))
    xticks = [
        {"x": x((num(b["lo"]) or 0) + 0.5), "label": fmt_num(b["lo"], 0)}
        for i, b in enumerate(bins)
        if i % k == 0
    ]
    desc = (
        f"{name}: simulated items done in the horizon, {fmt_num(trials, 0)} trials; "
        + "; ".join(
            f"at least {fmt_num(v, 0)} with {lvl} % confidence"
            for lvl, v in marks.items()
            if v is not None
        )
    )
    return {
        "width": width,
        "height": height,
        "left": left,
        "right": right,
        "top": top,
        "bottom": bottom,
        "bars": bars,
        "marks": mark_list,
        "xticks": xticks,
        "desc": desc,
    }


def calibration_plot(pooled: dict[str, Any], ledger: Any) -> dict[str, Any] | None:
    size, ox, oy = 300.0, 58.0, 14.0
    lo = 40.0  # both axes run from 40 % to 100 %; lower shares sit on the edge, labelled

    def x(level: float) -> float:
        return r1(ox + size * (level - lo) / (100 - lo))

    def y(s: float) -> float:
        return r1(oy + size - size * (max(s * 100, lo) - lo) / (100 - lo))

    series = []
    n_bt = num(pooled.get("origins"))
    for key, name, colour, dash in (
        ("plain", "Backtest, plain Monte Carlo", MUTED, "4 3"),
        ("calibrated", "Backtest, calibrated", ACCENT, ""),
    ):
        cov = as_dict(pooled.get(key))
        pts = [
            (float(lvl), num(cov.get(lvl)), n_bt) for lvl in LEVELS if num(cov.get(lvl)) is not None
        ]
        if pts:
            series.append(_series(name, colour, dash, pts, x, y))
    led = as_dict(ledger)
    levels = as_dict(led.get("levels"))
    pts = []
    for lvl in LEVELS:
        row = as_dict(levels.get(lvl))
        n = num(row.get("resolved"))
        if n:
            pts.append((float(lvl), num(row.get("share")), n))
    if pts:
        series.append(_series("Recorded forecasts (ledger)", WARM, "", pts, x, y))
    if not series:
        return None
    ticks = [{"v": str(t), "x": x(t), "y": y(t / 100)} for t in (40, 50, 60, 70, 80, 90, 100)]
    desc = "; ".join(
        s["name"]
        + ": "
        + ", ".join(f"{p['level']} % stated, {p['share']} came true" for p in s["points"])
        for s in series
    )
    return {
        "width": ox + size + 16,
        "height": oy + size + 46,
        "ox": ox,
        "oy": oy,
        "size": size,
        "diag": {"x1": x(lo), "y1": y(lo / 100), "x2": x(100), "y2": y(1.0)},
        "ticks": ticks,
        "series": series,
        "desc": desc,
    }


def _series(
    name: str,
    colour: str,
    dash: str,
    pts: list[tuple[float, float | None, float | None]],
    x: Any,
    y: Any,
) -> dict[str, Any]:
    points = [
        {
            "x": x(lvl),
            "y": y(s or 0.0),
            "level": fmt_num(lvl, 0),
            "share": share(s, n),
            "n": fmt_num(n, 0),
        }
        for lvl, s, n in pts
    ]
    path = " ".join(("M" if i == 0 else "L") + f"{p['x']},{p['y']}" for i, p in enumerate(points))
    return {"name": name, "colour": colour, "dash": dash, "points": points, "path": path}


def _nice(v: float) -> float:
    for step in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000):
        if v <= step * 4:
            return float(step * -(-v // step))
    return float(v)


def _ticks(ymax: float) -> list[float]:
    for step in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 5000):
        if ymax / step <= 5:
            return [step * i for i in range(int(ymax // step) + 1)]
    return [0.0, ymax]


def _short_date(iso: str) -> str:
    try:
        return date.fromisoformat(iso).strftime("%d %b")
    except ValueError:
        return iso
