"""The command line: a thin shell that parses, opens the workspace, asks the core, and prints.

Every command turns trustmeter's own errors into one clean message on stderr (exit code 1 for
a user error, 2 for bad usage); no command computes a figure or writes SQL itself. The
commands live one family to a module; this module only assembles the group.
"""

from __future__ import annotations

import click

from trustmeter import __version__
from trustmeter.cli.backup import backup, restore
from trustmeter.cli.common import keep_examples_verbatim
from trustmeter.cli.connectors import presets_cmd, sources, sync
from trustmeter.cli.demo import demo
from trustmeter.cli.forecast import forecast
from trustmeter.cli.imports import import_
from trustmeter.cli.scoring import explain, report, score, trend
from trustmeter.cli.web import serve, user
from trustmeter.cli.workspace import framework, init


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="trustmeter")
@click.option(
    "--workspace",
    "-w",
    type=click.Path(file_okay=False),
    envvar="TRUSTMETER_WORKSPACE",
    help="Workspace folder (default: the nearest folder up with trustmeter.toml).",
)
@click.pass_context
def cli(ctx: click.Context, workspace: str | None) -> None:
    """trustmeter: where does IT stand on the road from order taker to trusted partner?

    Import your incident, change, ticket, project, budget, HR and survey exports, then ask
    for the scorecard, the stage, the next focus and the trend.

    Example:

        trustmeter demo            # a realistic organisation, end to end
        trustmeter init acme-it --profile mid --timezone Europe/Berlin
        trustmeter -w acme-it import incidents incidents.csv --mapping servicenow.toml
        trustmeter -w acme-it score
    """
    ctx.ensure_object(dict)
    ctx.obj["workspace"] = workspace


for command in (
    init,
    import_,
    score,
    trend,
    report,
    explain,
    framework,
    demo,
    forecast,
    presets_cmd,
    sources,
    sync,
    serve,
    user,
    backup,
    restore,
):
    cli.add_command(command)
keep_examples_verbatim(cli)


def main() -> None:
    cli(obj={})


if __name__ == "__main__":
    main()
