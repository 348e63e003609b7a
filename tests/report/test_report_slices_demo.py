"""The demo's strongest story in the full report: `report --slices` says in one sentence that
the Operations unit is neglected, with its evidence, and ranks it first among the units."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

from trustmeter.cli import cli


@pytest.fixture(scope="module")
def report_html(tmp_path_factory: pytest.TempPathFactory) -> str:
    root = tmp_path_factory.mktemp("slices") / "northwind"
    r = CliRunner().invoke(cli, ["demo", str(root)], catch_exceptions=False)
    assert r.exit_code == 0, r.output
    out = root / "with-slices.html"
    args = ["-w", str(root), "report", "--as-of", date(2026, 10, 1).isoformat(), "--slices"]
    r = CliRunner().invoke(cli, [*args, "--out", str(out)], catch_exceptions=False)
    assert r.exit_code == 0, r.output
    return Path(out).read_text("utf-8")


def _section(html: str, kind: str) -> str:
    start = html.index(f'id="slices-{kind}-h"')
    return html[start : html.index("</section>", start)]


def test_operations_is_neglected_in_one_sentence_with_its_evidence(report_html: str) -> None:
    units = _section(report_html, "unit")
    sentences = re.findall(r"<td>([^<]*? is (?:neglected|served [a-z]+)[^<]*)</td>", units)
    first = sentences[0]
    assert first.startswith("Operations is neglected: ")
    # The 2026-08 stakeholder survey: 5 Operations respondents, every NPS answer 3 to 6.
    assert "Relationship NPS \u2212100 (5 respondents)" in first
    assert not any(s.startswith(("Sales is neglected", "Finance is neglected")) for s in sentences)


def test_every_kind_of_slice_has_its_section(report_html: str) -> None:
    for kind, noun in (("unit", "business unit"), ("service", "service"), ("team", "team")):
        section = _section(report_html, kind)
        assert f"By {noun}" in section
        assert section.count("<tr>") >= 3
    assert "SAP S/4HANA ERP" in _section(report_html, "service")
    assert "Each metric over time" in report_html
