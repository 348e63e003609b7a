"""The command line: a thin shell that parses, opens the workspace, asks the core, and prints.

Every command turns trustmeter's own errors into one clean message on stderr (exit code 1 for
a user error, 2 for bad usage); no command computes a figure or writes SQL itself. The
commands live one family to a module; this module only assembles the group.
"""

from __future__ import annotations

import importlib

import click

from trustmeter import __version__
from trustmeter.cli.common import keep_examples_verbatim

# Each command, by name, in the module of its family: loaded when it runs (or for --help),
# so `trustmeter score` does not import the importers, the web app or the report's templates.
COMMANDS = {
    "init": "trustmeter.cli.workspace:init",
    "framework": "trustmeter.cli.workspace:framework",
    "import": "trustmeter.cli.imports:import_",
    "score": "trustmeter.cli.scoring:score",
    "trend": "trustmeter.cli.scoring:trend",
    "explain": "trustmeter.cli.scoring:explain",
    "report": "trustmeter.cli.scoring:report",
    "compare": "trustmeter.cli.compare:compare",
    "benchmarks": "trustmeter.cli.compare:benchmarks",
    "ordering": "trustmeter.cli.ordering:ordering",
    "demo": "trustmeter.cli.demo:demo",
    "forecast": "trustmeter.cli.forecast:forecast",
    "presets": "trustmeter.cli.connectors:presets_cmd",
    "sources": "trustmeter.cli.connectors:sources",
    "sync": "trustmeter.cli.connectors:sync",
    "serve": "trustmeter.cli.web:serve",
    "user": "trustmeter.cli.web:user",
    "backup": "trustmeter.cli.backup:backup",
    "restore": "trustmeter.cli.backup:restore",
}


class LazyGroup(click.Group):
    """Click's documented pattern for loading subcommands lazily."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*COMMANDS, *self.commands})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in self.commands:
            return self.commands[cmd_name]
        if cmd_name not in COMMANDS:
            return None
        module, _, attr = COMMANDS[cmd_name].partition(":")
        command = getattr(importlib.import_module(module), attr)
        if not isinstance(command, click.Command):
            raise TypeError(f"{COMMANDS[cmd_name]} is not a click command")
        keep_examples_verbatim(command)
        self.commands[cmd_name] = command
        return command


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
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


keep_examples_verbatim(cli)


def main() -> None:
    cli(obj={})


if __name__ == "__main__":
    main()
