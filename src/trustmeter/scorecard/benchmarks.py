"""Where a figure sits against a published reference, citing it: "is that good?" answered.

The references live in framework/benchmarks.toml, one per metric that has one, each with the
publication, its year, its address and the pages its numbers were checked against. Only
published bands are there; a figure outside every band is said to be so, never placed by a
guess, and a metric without a reference has no benchmark (docs/benchmarks.md).
"""

from __future__ import annotations

import functools
import tomllib
from dataclasses import asdict, dataclass
from importlib import resources
from typing import Any

from trustmeter.errors import TrustmeterError

DATA_FILE = "benchmarks.toml"


@dataclass(frozen=True)
class Band:
    name: str
    text: str  # the publication's own words: "between one day and one week"
    low: float | None  # inclusive
    high: float | None  # exclusive

    def holds(self, value: float) -> bool:
        return (self.low is None or value >= self.low) and (self.high is None or value < self.high)


@dataclass(frozen=True)
class Reference:
    metric: str
    source: str
    year: int
    url: str
    checked_against: tuple[str, ...]
    note: str
    bands: tuple[Band, ...]  # best first

    @property
    def citation(self) -> str:
        return f"{self.source} {self.year}"


@dataclass(frozen=True)
class Placement:
    """A figure against a reference: the band it falls in (None: outside every band)."""

    metric: str
    value: float
    band: str | None
    band_text: str | None
    source: str
    year: int
    url: str

    @property
    def sentence(self) -> str:
        """ "DORA, Accelerate State of DevOps Report 2024: High (between one day and one week)"."""
        where = (
            f"{self.band} ({self.band_text})"
            if self.band is not None
            else "outside the published bands"
        )
        return f"{self.source} {self.year}: {where}"

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _reference(d: dict[str, Any]) -> Reference:
    try:
        bands = tuple(Band(b["name"], b["text"], b.get("from"), b.get("to")) for b in d["bands"])
        return Reference(
            metric=d["metric"],
            source=d["source"],
            year=int(d["year"]),
            url=d["url"],
            checked_against=tuple(d.get("checked_against", ())),
            note=" ".join(str(d.get("note", "")).split()),
            bands=bands,
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise TrustmeterError(
            f"{DATA_FILE}: reference {d.get('metric', '?')!r} lacks or mistypes {exc}; "
            "expected metric, source, year, url and bands with name and text"
        ) from exc


@functools.cache
def references() -> dict[str, Reference]:
    """Every published reference, by metric id."""
    text = resources.files("trustmeter.framework").joinpath(DATA_FILE).read_text("utf-8")
    refs = [_reference(d) for d in tomllib.loads(text).get("reference", [])]
    return {r.metric: r for r in refs}


def place(metric_id: str, value: float | None) -> Placement | None:
    """The band `value` falls in for `metric_id`; None when there is no reference or no value."""
    ref = references().get(metric_id)
    if ref is None or value is None:
        return None
    band = next((b for b in ref.bands if b.holds(value)), None)
    return Placement(
        metric=metric_id,
        value=value,
        band=None if band is None else band.name,
        band_text=None if band is None else band.text,
        source=ref.source,
        year=ref.year,
        url=ref.url,
    )
