"""The demo organisation, end to end: generate its exports, import them, score, report."""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from trustmeter import workspace as ws_mod
from trustmeter.demo import ImportSpec, generate
from trustmeter.errors import TrustmeterError
from trustmeter.ingest import ImportResult
from trustmeter.periods import last_complete
from trustmeter.scorecard.model import Scorecard
from trustmeter.usecases.importing import ImportRequest, import_records, summary
from trustmeter.usecases.reporting import build_report
from trustmeter.usecases.scoring import open_scorer

DEMO_TODAY = "2026-10-01"  # the demo's history ends the day before; its "as of" date


@dataclass(frozen=True)
class DemoRun:
    workspace: ws_mod.Workspace
    cards: list[Scorecard]  # eight quarters, oldest first
    report: Path
    seconds: float
    order_verdict: str  # does the framework's order hold on the demo's history, in words


def import_spec(ws: ws_mod.Workspace, spec: ImportSpec) -> ImportResult:
    """One of the demo's imports, as `trustmeter import` runs it."""
    req = ImportRequest(
        kind=spec.kind,
        files=tuple(spec.files),
        preset=spec.preset,
        mapping_file=spec.mapping,
    )
    return import_records(ws, req).result


def run_demo(
    directory: Path,
    seed: int = 7,
    db: str | None = None,
    force: bool = False,
    echo: Callable[[str], None] = print,
) -> DemoRun:
    started = time.perf_counter()
    if directory.exists() and any(directory.iterdir()):
        if not force:
            raise TrustmeterError(
                f"{directory} exists and is not empty: pass --force to replace it, or name another folder"
            )
        shutil.rmtree(directory)
    ws = ws_mod.init(
        directory, profile="mid", db=db, timezone="Europe/Berlin", name="Northwind IT (demo)"
    )
    exports = directory / "exports"
    today = date.fromisoformat(DEMO_TODAY)
    specs = generate(exports, seed=seed, today=today)
    echo(f"wrote {sum(len(s.files) for s in specs)} export files to {exports}")
    for spec in specs:
        result = import_spec(ws, spec)
        first, nl, rest = summary(spec.kind, result).partition("\n")
        echo(first + (f", with the preset {spec.preset}" if spec.preset else "") + nl + rest)
    out = directory / "trustmeter-report.html"
    with open_scorer(ws) as scorer:
        report = build_report(ws, scorer, last_complete(today, "quarter"), 8, today)
    out.write_text(report.html, "utf-8")
    seconds = time.perf_counter() - started
    return DemoRun(ws, report.cards, out, seconds, report.ordering.overall.text)
