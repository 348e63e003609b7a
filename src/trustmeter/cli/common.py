"""What every command shares: clean errors, the workspace, dates, periods and slices.

Only parsing and printing live in the CLI; every command makes its calls into
`trustmeter.usecases` (or a domain package) and prints what comes back.
"""

from __future__ import annotations

import inspect
import sys
from collections.abc import Callable
from datetime import date
from functools import wraps
from typing import TYPE_CHECKING, Any

import click
from rich.console import Console
from rich.markup import escape

from trustmeter import records
from trustmeter import workspace as ws_mod
from trustmeter.errors import TrustmeterError
from trustmeter.metrics.slices import Slice, SliceKind
from trustmeter.periods import Period, PeriodKind, last_complete

if TYPE_CHECKING:
    from trustmeter.scorecard.scorer import Scorer

# `import KIND`: the record kinds of records.py, spelled as on the command line.
RECORD_KINDS = [k.kind for k in records.KINDS]

CALENDAR: dict[str, PeriodKind] = {"month": "month", "quarter": "quarter"}

err = Console(stderr=True, highlight=False)


def clean_errors(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Print trustmeter's errors as one message, never a traceback (exit code 1)."""

    @wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except TrustmeterError as exc:
            err.print(f"[bold red]error:[/] {esc(str(exc))}")
            sys.exit(1)

    return wrapper


def esc(text: str) -> str:
    """Text from records or users, safe to print through rich's markup."""
    return escape(text)


def workspace_of(ctx: click.Context) -> ws_mod.Workspace:
    """The workspace named by `-w`/TRUSTMETER_WORKSPACE, else the nearest one up."""
    return ws_mod.find((ctx.find_root().obj or {}).get("workspace"))


def parse_date(text: str, opt: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise click.BadParameter(
            f"{text!r}: expected a date as YYYY-MM-DD", param_hint=opt
        ) from exc


def period_of(
    as_of: str | None,
    date_from: str | None,
    date_to: str | None,
    kind: str,
    today: date | None = None,
) -> Period:
    """The period a command asks for: --from/--to, else the last complete one before --as-of
    (or before `today`: the Scorer's default day, which stops where the records do)."""
    if (date_from is None) != (date_to is None):
        raise click.UsageError("give both --from and --to, or neither")
    if date_from and as_of:
        raise click.UsageError("give either --as-of or --from/--to, not both")
    if date_from and date_to:
        start, end = parse_date(date_from, "--from"), parse_date(date_to, "--to")
        if end <= start:
            raise click.UsageError(
                "--to must be after --from (the period runs up to, not including, --to)"
            )
        return Period(start, end, "custom")
    day = parse_date(as_of, "--as-of") if as_of else (today or date.today())
    if kind not in CALENDAR:
        raise click.BadParameter(f"{kind!r}: expected month or quarter", param_hint="--period")
    return last_complete(day, CALENDAR[kind])


def scorer_period(
    scorer: Scorer,
    as_of: str | None,
    date_from: str | None,
    date_to: str | None,
    period_kind: str | None,
) -> Period:
    """The period a scoring command asks for, of the framework's kind unless --period says,
    the default one being the last the records cover (Scorer.default_day)."""
    return period_of(
        as_of,
        date_from,
        date_to,
        period_kind or scorer.framework.settings.period,
        scorer.default_day(date.today()),
    )


def slice_options(fn: Callable[..., Any]) -> Callable[..., Any]:
    """--unit / --service / --team: a scorecard for one business unit, service or team."""
    fn = click.option("--team", help="Score one team (work items, commitments, projects, people).")(
        fn
    )
    fn = click.option(
        "--service", help="Score one service, by name or id (its incidents and changes)."
    )(fn)
    return click.option(
        "--unit", help="Score one business unit (the services it owns, the demand it raised)."
    )(fn)


def slice_of(unit: str | None, service: str | None, team: str | None) -> Slice | None:
    options: tuple[tuple[SliceKind, str | None], ...] = (
        ("unit", unit),
        ("service", service),
        ("team", team),
    )
    given = [(k, v) for k, v in options if v]
    if len(given) > 1:
        raise click.UsageError("give one of --unit, --service and --team, not several")
    if not given:
        return None
    kind, name = given[0]
    if not name.strip():
        raise click.BadParameter("expected a name", param_hint=f"--{kind}")
    return Slice(kind, name.strip())


def parse_pairs(values: tuple[str, ...], what: str) -> dict[str, str]:
    """--map FIELD=COLUMN, repeated."""
    out = {}
    for v in values:
        if "=" not in v:
            raise click.BadParameter(f"{v!r}: expected field=column", param_hint=what)
        k, _, col = v.partition("=")
        out[k.strip()] = col.strip()
    return out


def parse_value_maps(values: tuple[str, ...]) -> dict[str, dict[str, str]]:
    """--value FIELD:VALUE=CANONICAL, repeated."""
    out: dict[str, dict[str, str]] = {}
    for v in values:
        field, sep, rest = v.partition(":")
        src, sep2, dst = rest.rpartition("=")
        if not sep or not sep2 or not field or not src:
            raise click.BadParameter(
                f"{v!r}: expected field:value=canonical, e.g. severity:critical=P1",
                param_hint="--value",
            )
        out.setdefault(field.strip(), {})[src.strip()] = dst.strip()
    return out


def keep_examples_verbatim(command: click.Command) -> None:
    """Mark every indented paragraph of every help text (the examples) as not to be rewrapped.

    Click rewraps paragraphs to the terminal's width, which runs example lines together;
    a paragraph that starts with a `\\b` line is printed as written.
    """
    if command.help:
        paragraphs = inspect.cleandoc(command.help).split("\n\n")
        command.help = "\n\n".join(
            "\b\n" + p if p.startswith("    ") and not p.startswith("\b") else p
            for p in (q.strip("\n") for q in paragraphs)
        )
    if isinstance(command, click.Group):
        for sub in command.commands.values():
            keep_examples_verbatim(sub)
