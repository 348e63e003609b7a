"""`trustmeter forecast …`: when, how many, how likely, and how far to trust the answers.

Like every command, each one parses its options, opens the workspace, asks the core
(trustmeter.forecast) and prints; none computes a figure itself.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import click
from rich.console import Console

from trustmeter.cli.common import clean_errors, esc, parse_date, workspace_of

out = Console(highlight=False)


# -- shared options -----------------------------------------------------------------------------
def _subject_options(fn: Callable[..., Any]) -> Callable[..., Any]:
    fn = click.option(
        "--kind",
        "kinds",
        multiple=True,
        help="Only work items of this kind (repeatable), e.g. --kind story --kind bug.",
    )(fn)
    fn = click.option("--project", help="Only this project's work items.")(fn)
    fn = click.option("--team", help="Only this team's work items.")(fn)
    return fn


def _history_options(fn: Callable[..., Any]) -> Callable[..., Any]:
    fn = click.option(
        "--history-to", help="Last day of the history (YYYY-MM-DD; default: yesterday)."
    )(fn)
    fn = click.option(
        "--history-from",
        help="First day of the history (YYYY-MM-DD; default: 90 days before --history-to).",
    )(fn)
    return fn


def _simulation_options(fn: Callable[..., Any]) -> Callable[..., Any]:
    fn = click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")(fn)
    fn = click.option(
        "--blackout",
        "blackouts",
        multiple=True,
        metavar="FROM:TO",
        help="Days when no work is done, both inclusive (repeatable), e.g. "
        "--blackout 2024-12-24:2025-01-01. Left out of the history and of the forecast.",
    )(fn)
    fn = click.option(
        "--exclude-weekends",
        is_flag=True,
        help="Leave Saturdays and Sundays out of the history and of the forecast.",
    )(fn)
    fn = click.option(
        "--trials",
        default=10_000,
        show_default=True,
        type=click.IntRange(100, 1_000_000),
        help="Simulated futures.",
    )(fn)
    fn = click.option(
        "--seed",
        type=click.IntRange(0),
        help="Random seed (default: one derived from the question, so asking again gives the "
        "same answer).",
    )(fn)
    return fn


def _forecast_options(fn: Callable[..., Any]) -> Callable[..., Any]:
    fn = click.option(
        "--record", is_flag=True, help="Save the forecast in the ledger, to be scored later."
    )(fn)
    fn = click.option(
        "--start", help="First day of the forecast (default: the day after the history)."
    )(fn)
    fn = _simulation_options(fn)
    fn = _history_options(fn)
    fn = _subject_options(fn)
    return fn


def _calendar(exclude_weekends: bool, blackouts: tuple[str, ...]) -> Any:
    from trustmeter.forecast import Calendar

    ranges = []
    for b in blackouts:
        a, sep, z = b.partition(":")
        if not sep:
            raise click.BadParameter(
                f"{b!r}: expected FROM:TO, e.g. 2024-12-24:2025-01-01", param_hint="--blackout"
            )
        first, last = parse_date(a.strip(), "--blackout"), parse_date(z.strip(), "--blackout")
        if last < first:
            raise click.BadParameter(f"{b!r}: ends before it starts", param_hint="--blackout")
        ranges.append((first, last))
    return Calendar(exclude_weekends, tuple(ranges))


def _opt_date(text: str | None, opt: str) -> date | None:
    return parse_date(text, opt) if text else None


def _request(ctx: click.Context, o: dict[str, Any]) -> tuple[Any, Any, date]:
    """The workspace, the forecast request, and the first day of the forecast."""
    from trustmeter.forecast.history import Subject, default_window
    from trustmeter.forecast.request import Request, question_seed

    ws = workspace_of(ctx)
    first, last = default_window(
        _opt_date(o["history_from"], "--history-from"),
        _opt_date(o["history_to"], "--history-to"),
    )
    start = _opt_date(o["start"], "--start") or last + timedelta(days=1)
    if start <= last:
        raise click.UsageError(
            f"--start ({start}) must come after the history's last day ({last}): a forecast "
            "may not use what happened after it was made"
        )
    subject = Subject(o["team"], o["project"], tuple(o["kinds"]))
    calendar = _calendar(o["exclude_weekends"], o["blackouts"])
    seed = o["seed"]
    if seed is None:
        # The same question (command, options, history and start) gets the same answer.
        asked = sorted((k, v) for k, v in ctx.params.items() if k not in _OUTPUT_ONLY)
        seed = question_seed(ctx.info_name, asked, first, last, start)
    req = Request(subject, first, last, calendar, o["trials"], seed, ws.timezone)
    return ws, req, start


_OUTPUT_ONLY = {"as_json", "record", "seed"}


def _run(
    ctx: click.Context, o: dict[str, Any], ask: Callable[[Any, date], Any], can_calibrate: bool
) -> None:
    """Build the engine, make the forecast (calibrated when it can be), record it, print it."""
    from trustmeter.forecast import ledger
    from trustmeter.forecast.calibration import calibrated

    ws, req, start = _request(ctx, o)
    store = ws.open()
    try:
        engine, stability = req.engine(store)
        result = ask(engine, start)
        if can_calibrate and not o["plain"]:
            corr = req.correction(store, start, result.by)
            if corr is not None:
                result = calibrated(result, corr)
        recorded = None
        if o["record"]:
            was_calibrated = getattr(result, "calibration", None) is not None
            recorded = ledger.record(store, result, req.subject, req.calendar, was_calibrated)
    finally:
        store.close()
    if o["as_json"]:
        body = {
            **result.as_dict(),
            "subject": req.subject.as_dict(),
            "calendar": req.calendar.describe() or None,
            "stability": stability.as_dict(),
            "recorded": recorded,
        }
        click.echo(json.dumps(body, indent=2))
        return
    out.print(_preamble(req, result.sample, stability))
    out.print(_text(result))
    if can_calibrate:
        out.print(_calibration_note(result, o["plain"]))
    if recorded:
        out.print(f"recorded in the forecast ledger as {recorded}")


def _preamble(req: Any, sample: Any, stability: Any) -> str:
    cal = req.calendar.describe()
    lines = [
        f"{esc(req.subject.describe())}: history {sample.history_from} to {sample.history_to}, "
        f"{sample.completions:,} done in {sample.days} days ({sample.active_days} with "
        f"completions), {sample.mean:.2f} a day" + (f"; {cal}" if cal else ""),
        ("[yellow]" if stability.stable is False else "") + esc(stability.verdict()),
    ]
    if stability.stable is False:
        lines[-1] += "[/]"
    return "\n".join(lines)


def _calibration_note(r: Any, plain: bool) -> str:
    from trustmeter.forecast import HowMany
    from trustmeter.forecast.montecarlo import shown_probability

    if plain:
        return "plain Monte Carlo (--plain): not corrected by past forecasts"
    if r.calibration is None:
        return (
            "plain Monte Carlo: fewer than 20 past forecasts of this kind could be replayed "
            "over the last year to correct it"
        )
    c = r.calibration
    before = (
        "at least " + " / ".join(f"{n:,}" for n in (r.plain or {}).values())
        if isinstance(r, HowMany)
        else shown_probability(r.plain_probability)
    )
    return (
        f"calibrated with {c['past_forecasts']} replayed forecasts from {c['from']} to "
        f"{c['to']} (see docs/forecasting.md); plain Monte Carlo said {before}"
    )


def _text(r: Any) -> str:
    from trustmeter.forecast import HowMany, When

    tail = f"({r.trials:,} trials, seed {r.seed})"
    if isinstance(r, When):
        dates = r.percentiles
        rows = [f"  {lvl:>2} %  by {d}" for lvl, d in dates.items()]
        return "\n".join(
            [
                f"{r.items:,} items, starting {r.start} {tail}:",
                *rows,
                f"Most likely done between {dates[50]} and {dates[95]}; "
                "about 1 in 20 takes longer.",
            ]
        )
    if isinstance(r, HowMany):
        counts = r.percentiles
        rows = [f"  {lvl:>2} %  at least {n:,}" for lvl, n in counts.items()]
        return "\n".join(
            [
                f"Items done from {r.start} to {r.by}, {r.working_days} working days {tail}:",
                *rows,
                f"Most likely between {counts[95]:,} and {counts[50]:,} items.",
            ]
        )
    return (
        f"Chance of {r.items:,} items done from {r.start} to {r.by} "
        f"({r.working_days} working days): {r.shown} {tail}"
    )


# -- the group ----------------------------------------------------------------------------------
@click.group()
def forecast() -> None:
    """Forecasts from your own throughput, how far to trust them, and flow metrics."""


@forecast.command()
@click.option("--items", required=True, type=click.IntRange(1), help="Items still to do.")
@_forecast_options
@click.pass_context
@clean_errors
def when(ctx: click.Context, items: int, **o: Any) -> None:
    """When will N items be done? Dates at 50, 70, 85 and 95 % confidence.

    Monte Carlo from the daily completions of the history (days without any count as zero).

    Example:

    \b
        trustmeter forecast when --items 40 --team Applications
        trustmeter forecast when --items 40 --history-from 2024-01-01 --history-to 2024-03-31 \\
            --exclude-weekends --blackout 2024-12-24:2025-01-01 --seed 7 --json --record
    """
    _run(ctx, o, lambda engine, start: engine.when(items, start), can_calibrate=False)


_PLAIN = click.option(
    "--plain",
    is_flag=True,
    help="Plain Monte Carlo, without the correction learned from replaying past forecasts.",
)


@forecast.command("how-many")
@click.option("--by", "by", required=True, help="Last day counted (YYYY-MM-DD), inclusive.")
@_PLAIN
@_forecast_options
@click.pass_context
@clean_errors
def how_many(ctx: click.Context, by: str, **o: Any) -> None:
    """How many items will be done by DATE? "At least X" at 50, 70, 85 and 95 %.

    The higher the confidence, the fewer items: the 85 % figure is reached in 85 % of the
    simulated futures. When the same question can be replayed from at least 20 dates in the
    year before, the figures are corrected by how those replays turned out (--plain: don't).

    Example:

    \b
        trustmeter forecast how-many --by 2024-06-30 --project ERP
    """
    day = parse_date(by, "--by")
    _run(ctx, o, lambda engine, start: engine.how_many(day, start), can_calibrate=True)


@forecast.command()
@click.option("--items", required=True, type=click.IntRange(1), help="Items to finish.")
@click.option("--by", "by", required=True, help="Last day counted (YYYY-MM-DD), inclusive.")
@_PLAIN
@_forecast_options
@click.pass_context
@clean_errors
def likelihood(ctx: click.Context, items: int, by: str, **o: Any) -> None:
    """How likely are N items done by DATE? Never shown as 0 % or 100 %.

    Corrected by replays of the same question over the year before, when there are at least
    20 of them (--plain: don't).

    Example:

    \b
        trustmeter forecast likelihood --items 30 --by 2024-06-30 --team Desk
    """
    day = parse_date(by, "--by")
    _run(ctx, o, lambda engine, start: engine.likelihood(items, day, start), can_calibrate=True)


@forecast.command()
@click.option(
    "--as-of",
    help="The last day whose completions are all imported (default: yesterday). "
    "Forecasts are settled with the records up to that day.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the calibration as JSON.")
@click.pass_context
@clean_errors
def calibration(ctx: click.Context, as_of: str | None, as_json: bool) -> None:
    """How often recorded forecasts came true, per level, and the Brier score of likelihoods.

    First settles every recorded forecast whose outcome the work items now show.

    Example:

    \b
        trustmeter forecast calibration --json
    """
    from trustmeter.forecast import ledger

    ws = workspace_of(ctx)
    known = parse_date(as_of, "--as-of") if as_of else date.today() - timedelta(days=1)
    store = ws.open()
    try:
        settled = ledger.resolve(store, known, ws.timezone)
        cal = ledger.calibration(store)
    finally:
        store.close()
    if as_json:
        click.echo(json.dumps({**cal.as_dict(), "settled_now": settled}, indent=2))
        return
    lines = [
        f"{cal.forecasts} forecasts recorded; {settled} figures settled now, "
        f"{cal.pending} still open (records through {known})"
    ]
    lines.append("  level  resolved  came true")
    for lvl, (n, k) in cal.levels.items():
        share = f"{k / n:.0%}" if n else "—"
        lines.append(f"  {lvl:>3} %  {n:>8}  {k:>5} = {share}")
    if cal.brier is None:
        lines.append("Brier score: no likelihood forecast resolved yet")
    else:
        lines.append(
            f"Brier score of {cal.likelihoods} likelihood forecasts: {cal.brier:.3f} "
            "(0 is perfect; always saying 50 % scores 0.25)"
        )
    out.print("\n".join(lines))


@forecast.command("backtest")
@click.option(
    "--window",
    default=90,
    show_default=True,
    type=click.IntRange(7),
    help="Days of history behind each forecast.",
)
@click.option(
    "--horizon",
    default=14,
    show_default=True,
    type=click.IntRange(1),
    help="Days each forecast looks ahead.",
)
@click.option(
    "--every", default=7, show_default=True, type=click.IntRange(1), help="Days between origins."
)
@click.option(
    "--calibrated",
    is_flag=True,
    help="Correct each forecast with the outcomes known at its origin.",
)
@click.option("--detail", is_flag=True, help="With --json: every origin's forecast and outcome.")
@_simulation_options
@click.option("--history-to", help="Last day of the replay (default: the last completion).")
@click.option("--history-from", help="First day of the replay (default: the first completion).")
@_subject_options
@click.pass_context
@clean_errors
def backtest_cmd(
    ctx: click.Context,
    window: int,
    horizon: int,
    every: int,
    calibrated: bool,
    detail: bool,
    **o: Any,
) -> None:
    """Replay the past: how often would "how many in the next H days" have come true?

    From origins every --every days, forecast the next --horizon days from the --window days
    before, exactly as the tool would have then, and count how often the 50/70/85/95 %
    figures were reached. --calibrated corrects each forecast using only the outcomes already
    known at its origin (see docs/forecasting.md).

    Example:

    \b
        trustmeter forecast backtest --window 90 --horizon 14 --every 7 --calibrated --json
    """
    from trustmeter.forecast.history import Subject
    from trustmeter.forecast.request import run_backtest

    ws = workspace_of(ctx)
    subject = Subject(o["team"], o["project"], tuple(o["kinds"]))
    store = ws.open()
    try:
        bt = run_backtest(
            store,
            subject,
            _opt_date(o["history_from"], "--history-from"),
            _opt_date(o["history_to"], "--history-to"),
            ws.timezone,
            window=window,
            horizon=horizon,
            every=every,
            calendar=_calendar(o["exclude_weekends"], o["blackouts"]),
            trials=o["trials"],
            seed=o["seed"] if o["seed"] is not None else 0,
            calibrated=calibrated,
        )
    finally:
        store.close()
    if o["as_json"]:
        click.echo(json.dumps({**bt.as_dict(detail), "subject": subject.as_dict()}, indent=2))
        return
    out.print(_backtest_text(bt, subject))


def _backtest_text(bt: Any, subject: Any) -> str:
    from trustmeter.forecast.backtest import coverage

    if not bt.origins:
        return "no origin could be scored: " + esc(
            bt.skipped[0][1] if bt.skipped else "the history is too short"
        )
    mode = "calibrated" if bt.calibrated else "plain"
    lines = [
        f"{esc(subject.describe())}: {mode} backtest of {len(bt.origins)} origins from "
        f"{bt.origins[0].day} to {bt.origins[-1].day}, every {bt.every} days; "
        f"{bt.window}-day history, {bt.horizon}-day horizon"
    ]
    if bt.skipped:
        lines.append(f"  {len(bt.skipped)} origins skipped: too little history before them")
    if bt.calibrated:
        lines.append(
            f"  {len(bt.warmup)} earlier origins were warm-up (fewer than 20 known outcomes)"
        )
        plain = coverage(bt.origins, "plain")
        lines.append("  stated  came true  plain Monte Carlo at the same origins")
        for lvl, c in bt.coverage.items():
            lines.append(f"  {lvl:>4} %  {c:>8.1%}  {plain[lvl]:>8.1%}")
    else:
        lines.append("  stated  came true")
        for lvl, c in bt.coverage.items():
            lines.append(f"  {lvl:>4} %  {c:>8.1%}")
    return "\n".join(lines)


@forecast.command()
@_history_options
@_subject_options
@click.option("--json", "as_json", is_flag=True, help="Print the flow metrics as JSON.")
@click.pass_context
@clean_errors
def flow(ctx: click.Context, as_json: bool, **o: Any) -> None:
    """Throughput, cycle time (50/85/95th percentiles), WIP and aged items, with stability.

    Items in progress longer than the 85th-percentile cycle time are listed: they are the
    ones most likely to miss.

    Example:

    \b
        trustmeter forecast flow --team Applications --json
    """
    from trustmeter.forecast.flow import flow as compute
    from trustmeter.forecast.history import Subject, default_window

    ws = workspace_of(ctx)
    first, last = default_window(
        _opt_date(o["history_from"], "--history-from"),
        _opt_date(o["history_to"], "--history-to"),
    )
    subject = Subject(o["team"], o["project"], tuple(o["kinds"]))
    store = ws.open()
    try:
        f = compute(store, first, last, subject, ws.timezone)
    finally:
        store.close()
    if as_json:
        click.echo(json.dumps(f.as_dict(), indent=2))
        return
    out.print(_flow_text(f))


def _flow_text(f: Any) -> str:
    def days(v: float | None) -> str:
        return "—" if v is None else f"{v:.1f} d"

    stable = f.stability
    ct = f.cycle_time
    lines = [
        f"{esc(f.subject.describe())}: {f.first} to {f.last}",
        ("[yellow]" if stable.stable is False else "")
        + esc(stable.verdict())
        + ("[/]" if stable.stable is False else ""),
        f"throughput: {int(f.history.counts.sum()):,} done, {f.per_day:.2f} a day, "
        f"{f.per_week:.1f} a week",
        f"cycle time ({f.cycle_n:,} items): 50 % within {days(ct[50])}, 85 % within "
        f"{days(ct[85])}, 95 % within {days(ct[95])}",
        f"in progress at the end: {f.wip:,}; age 50 % {days(f.age[50])}, 85 % {days(f.age[85])}",
    ]
    if f.aged_count:
        lines.append(f"{f.aged_count:,} in progress longer than the 85th-percentile cycle time:")
        for a in f.aged:
            title = f" {a['title']}" if a["title"] else ""
            lines.append(
                f"  {esc(a['id'] + title)}: {a['age_days']:.0f} days, since {a['started']}"
            )
        if f.aged_count > len(f.aged):
            lines.append(f"  … and {f.aged_count - len(f.aged)} more (see --json)")
    return "\n".join(lines)
