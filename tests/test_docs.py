"""The docs stay in step with the code: commands, metrics and framework settings."""

from __future__ import annotations

import tomllib
from pathlib import Path

import click

from trustmeter import framework as fw
from trustmeter.cli import cli
from trustmeter.metrics.catalogue import all_metrics

ROOT = Path(__file__).resolve().parents[1]


def _commands(group: click.Group, prefix: str = "") -> list[tuple[str, click.Command]]:
    ctx = click.Context(group)
    out = []
    for name in group.list_commands(ctx):
        cmd = group.get_command(ctx, name)
        assert cmd is not None, name
        out.append((prefix + name, cmd))
        if isinstance(cmd, click.Group):
            out += _commands(cmd, prefix + name + " ")
    return out


def test_every_command_has_help_with_an_example() -> None:
    for name, cmd in _commands(cli):
        assert cmd.help, f"`trustmeter {name}` has no help text"
        if not isinstance(cmd, click.Group):
            assert "Example:" in cmd.help, f"`trustmeter {name}` --help has no Example: block"


def test_every_top_level_command_is_in_the_readme() -> None:
    readme = (ROOT / "README.md").read_text()
    for name in cli.list_commands(click.Context(cli)):
        assert f"trustmeter {name}" in readme, f"`trustmeter {name}` is not in README.md"


def test_every_metric_is_documented_with_its_id() -> None:
    docs = "\n".join(p.read_text() for p in (ROOT / "docs" / "metrics").glob("*.md"))
    for mid in all_metrics():
        assert f"`{mid}`" in docs or f"## {mid}" in docs, f"metric {mid} is not in docs/metrics/"


def test_every_framework_param_is_commented_in_the_default_file() -> None:
    text = fw.default_text()
    params = tomllib.loads(text)["params"]
    seen = set()
    for line in text.split("[params]", 1)[1].split("[areas", 1)[0].splitlines():
        key = line.split("=", 1)[0].strip()
        if key in params:
            seen.add(key)
            assert "#" in line, f"params.{key} has no comment in default.toml"
    # every parameter was looked at: a reordered file cannot make this pass by checking nothing
    assert seen == set(params), sorted(set(params) - seen)


def test_json_doc_names_every_top_level_key() -> None:
    doc = (ROOT / "docs" / "scorecard-json.md").read_text()
    for key in (
        "period",
        "trust_index",
        "predictability_index",
        "indices",
        "stage",
        "areas",
        "focus",
        "perception",
    ):
        assert f'"{key}"' in doc
