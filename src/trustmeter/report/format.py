"""How the report writes a value: numbers, scores, units, dates and statuses as plain text.

Every formatter takes whatever the data holds (None, NaN, a string where a number belongs) and
returns text, "—" for a missing value, never 0. The templates escape what these return; the
web app's pages use the same formatters, so a figure reads the same everywhere.
"""

from __future__ import annotations

import math
import textwrap
from datetime import UTC, datetime
from typing import Any

MINUS = "\u2212"
DASH = "\u2014"


STATUS_LABELS = {
    "ok": "scored",
    "insufficient": "too little data",
    "no_data": "no data",
    "left_out": "left out",
}


def num(v: Any) -> float | None:
    """A finite number, or None for anything else (None, NaN, strings, booleans)."""
    if isinstance(v, bool) or not isinstance(v, int | float):
        return None
    f = float(v)
    return f if math.isfinite(f) else None


def sign(s: str) -> str:
    return s.replace("-", MINUS)


def fmt_num(v: Any, digits: int = 2) -> str:
    """A figure as a reader expects it: up to `digits` decimals, no trailing zeros."""
    f = num(v)
    if f is None:
        return DASH
    if abs(f) >= 1000:
        return sign(f"{f:,.0f}")
    s = f"{f:.{digits}f}".rstrip("0").rstrip(".") if digits else f"{f:.0f}"
    if s in ("-0", ""):
        s = "0"
    return sign(s)


def fmt_score(v: Any) -> str:
    """Scores and indices: one decimal, always (38.5, 70.0)."""
    f = num(v)
    if f is None:
        return DASH
    return sign(f"{f:.1f}")


def fmt_delta(d: float) -> str:
    s = f"{d:+.1f}"
    return s.replace("-", MINUS)


def fmt_pct(v: Any) -> str:
    f = num(v)
    return DASH if f is None else f"{f * 100:.0f}%"


def fmt_unit(unit: Any) -> str:
    return "" if unit is None else str(unit)


def fmt_value(v: Any, unit: Any) -> str:
    """A value with its unit: '99.95%', '5.2 h', '3 per month', '4.8 of 7'."""
    s = fmt_num(v)
    if s == DASH:
        return s
    u = fmt_unit(unit)
    if u == "%":
        return s + "%"
    if u in ("", "count", "0–100", "−100…100", "-100…100"):
        return s
    if u == "1–7":
        return f"{s} of 7"
    return f"{s} {u}"


def fmt_timestamp(v: Any) -> str:
    if not isinstance(v, str) or not v:
        return DASH
    try:
        dt = datetime.fromisoformat(v.replace("Z", "+00:00"))
    except ValueError:
        return v
    if dt.tzinfo is not None:
        dt = dt.astimezone(UTC)
        return dt.strftime("%d %b %Y, %H:%M UTC")
    return dt.strftime("%d %b %Y, %H:%M")


def fmt_date(v: Any) -> str:
    if not isinstance(v, str) or not v:
        return DASH
    try:
        return datetime.fromisoformat(v).strftime("%d %b %Y")
    except ValueError:
        return v


def text(v: Any, default: str = "") -> str:
    """Any data value as text (never markup: the templates escape it)."""
    if v is None:
        return default
    return str(v)


def wrap(s: str, width: int, max_lines: int = 4) -> list[str]:
    lines = textwrap.wrap(s, width=max(width, 8)) or [""]
    if len(lines) > max_lines:
        lines = lines[:max_lines]
        lines[-1] = lines[-1][: max(width - 1, 1)].rstrip() + "…"
    return lines


def r1(x: float) -> float:
    return round(x, 1)


# Free-form dicts (the forecasting view's input) are read with these.
# The forecasting view (forecast_view.py) reads free-form dicts with these.
def as_list(v: Any) -> list[Any]:
    return v if isinstance(v, list) else []


def as_dict(v: Any) -> dict[str, Any]:
    return v if isinstance(v, dict) else {}


def status_class(status: str) -> str:
    return status if status in STATUS_LABELS else "unknown"


def status_label(status: str) -> str:
    return STATUS_LABELS.get(status, status or "unknown")


def share(v: Any, n: Any = None) -> str:
    """An observed share as a reader should see it: never "100 %" or "0 %" alone."""
    f, m = num(v), num(n)
    if f is None:
        return DASH
    if m is not None and m > 0:
        hits = round(f * m)
        if hits >= m:
            return f"all {m:.0f}"
        if hits <= 0:
            return f"none of {m:.0f}"
    pct = round(f * 100)
    if pct >= 100:
        return ">99 %"
    if pct <= 0:
        return "<1 %"
    return f"{pct} %"
