"""`trustmeter demo`: generate the demo organisation's exports, import them, score, report."""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable
from pathlib import Path

from trustmeter import workspace as ws_mod
from trustmeter.errors import TrustmeterError

DEMO_TODAY = "2026-10-01"  # the demo's history ends the day before; its "as of" date


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
    from trustmeter.periods import last_complete, series
    from trustmeter.render import scorecard_text, trend_text
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
        result = run_import(
            ws, spec.kind, spec.files, str(spec.mapping) if spec.mapping else None, quiet=True
        )
        echo(_import_summary(spec.kind, result))
    store = ws.open()
    scorer = Scorer(store, ws.framework(), ws.profile, ws.as_dict())
    last = last_complete(today, "quarter")
    cards = scorer.trend(series(last, 8))
    store.close()
    console = Console(highlight=False)
    console.print(trend_text(cards))
    console.print(scorecard_text(cards[-1]))
    from trustmeter.report import render_html

    report = directory / "trustmeter-report.html"
    report.write_text(render_html(cards[-1], cards, title=f"{ws.name}: IT trust report"), "utf-8")
    echo(f"\nwrote the report to {report}")
    echo(
        f"demo finished in {time.perf_counter() - started:.1f} s; try:\n"
        f"  trustmeter -w {directory} score --as-of {DEMO_TODAY}\n"
        f"  trustmeter -w {directory} explain mttr --as-of {DEMO_TODAY}"
    )
    return report
