"""Published bands: each figure falls in the band the publication gives, or in none."""

from __future__ import annotations

import pytest

from trustmeter.metrics.catalogue import all_metrics
from trustmeter.scorecard.benchmarks import place, references


@pytest.mark.parametrize(
    ("metric", "value", "band"),
    [
        ("lead_time_for_changes", 23.9, "Elite"),  # less than one day
        ("lead_time_for_changes", 24.0, "High"),  # one day is where High starts
        ("lead_time_for_changes", 32.2, "High"),
        ("lead_time_for_changes", 200.0, "Medium"),
        ("lead_time_for_changes", 1000.0, "Low"),
        ("lead_time_for_changes", 5000.0, None),  # slower than six months: outside every band
        ("mttr", 0.5, "Elite"),
        ("mttr", 2.9, "High or Medium"),
        ("mttr", 50.0, None),  # DORA publishes no band from one day to one week
        ("mttr", 200.0, "Low"),
        ("deployment_frequency", 3.8, "High"),
        ("deployment_frequency", 0.5, "Medium"),
        ("deployment_frequency", 0.1, "Low"),
        ("deployment_frequency", 0.01, None),
    ],
)
def test_a_figure_falls_in_its_published_band(metric: str, value: float, band: str | None) -> None:
    placed = place(metric, value)
    assert placed is not None
    assert placed.band == band
    assert placed.year == 2024
    assert placed.url.startswith("https://dora.dev/")
    if band is None:
        assert "outside the published bands" in placed.sentence


def test_no_reference_no_benchmark() -> None:
    # No published, citable norm was found for these: never invent one.
    for metric in ("change_failure_rate", "enps", "relationship_nps", "stakeholder_satisfaction"):
        assert place(metric, 10.0) is None
    assert place("mttr", None) is None


def test_every_reference_names_a_metric_a_year_a_source_and_sorted_bands() -> None:
    refs = references()
    assert set(refs) == {"deployment_frequency", "lead_time_for_changes", "mttr"}
    metrics = all_metrics()
    for ref in refs.values():
        assert ref.metric in metrics
        assert ref.year >= 2014 and ref.source and ref.url.startswith("https://")
        assert ref.checked_against and all(u.startswith("https://") for u in ref.checked_against)
        better = metrics[ref.metric].direction == "higher"
        # Best first, and the bands never overlap.
        for first, second in zip(ref.bands, ref.bands[1:], strict=False):
            if better:
                assert first.low is not None and second.high is not None
                assert second.high <= first.low
            else:
                assert first.high is not None and second.low is not None
                assert first.high <= second.low
