"""`trustmeter demo`: generate the demo organisation's exports, import them, score, report."""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from trustmeter import workspace as ws_mod
from trustmeter.errors import TrustmeterError

if TYPE_CHECKING:
    from trustmeter.demo import ImportSpec
    from trustmeter.ingest import ImportResult

DEMO_TODAY = "2026-10-01"  # the demo's history ends the day before; its "as of" date


def _import_preset(ws: ws_mod.Workspace, spec: ImportSpec) -> ImportResult:
    """`trustmeter import KIND FILES --format PRESET [--mapping OVERRIDES]`, as the CLI does it."""
    from trustmeter.connectors._importing import import_preset
    from trustmeter.ingest import ImportOptions, Mapping

    assert spec.preset is not None
    user = Mapping.load(spec.mapping) if spec.mapping else None
    store = ws.open()
    try:
        return import_preset(
            store,
            spec.kind,
            spec.files,
            spec.preset,
            ImportOptions(timezone=ws.timezone),
            user=user,
        )
    finally:
        store.close()


def run_demo(
    directory: Path,
    seed: int = 7,
    db: str | None = None,
    force: bool = False,
    echo: Callable[[str], None] = print,
) -> Path:
    from datetime import date

    from rich.console import Console

    from trustmeter.cli import _import_summary, run_import
    from trustmeter.demo import generate
    from trustmeter.ordering import run as run_ordering
    from trustmeter.periods import last_complete, series
    from trustmeter.render import scorecard_text, trend_text
    from trustmeter.report import render_html
    from trustmeter.report.forecasting import forecasting_data
    from trustmeter.scorecard import Scorer

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
        if spec.preset is not None:
            result = _import_preset(ws, spec)
        else:
            result = run_import(
                ws, spec.kind, spec.files, str(spec.mapping) if spec.mapping else None, quiet=True
            )
        first, nl, rest = _import_summary(spec.kind, result).partition("\n")
        echo(first + (f", with the preset {spec.preset}" if spec.preset else "") + nl + rest)
    store = ws.open()
    scorer = Scorer(store, ws.framework(), ws.profile, ws.as_dict())
    last = last_complete(today, "quarter")
    cards = scorer.trend(series(last, 8))
    forecasts = forecasting_data(store, ws.timezone, today)
    ordering = run_ordering(scorer, "quarter", end=today)
    store.close()
    console = Console(highlight=False)
    console.print(trend_text(cards))
    console.print(scorecard_text(cards[-1]))
    echo(f"Does the framework's order hold here? {ordering.overall.text}")
    report = directory / "trustmeter-report.html"
    title = f"{ws.name}: IT trust report"
    html = render_html(cards[-1], cards, title, forecasts, ordering=ordering.as_dict())
    report.write_text(html, "utf-8")
    echo(f"\nwrote the report to {report}")
    echo(
        f"demo finished in {time.perf_counter() - started:.1f} s; try:\n"
        f"  trustmeter -w {directory} score --as-of {DEMO_TODAY}\n"
        f"  trustmeter -w {directory} explain mttr --as-of {DEMO_TODAY}"
    )
    return report
