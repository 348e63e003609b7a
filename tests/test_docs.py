"""The docs stay in step with the code: commands, metrics and framework settings."""

from __future__ import annotations

import tomllib
from pathlib import Path

import click

from trustmeter import framework as fw
from trustmeter.cli import cli
from trustmeter.metrics.catalogue import all_metrics

ROOT = Path(__file__).resolve().parents[1]


def _commands(group: click.Group, prefix: str = "") -> list[str]:
    out = []
    for name, cmd in group.commands.items():
        out.append(prefix + name)
        if isinstance(cmd, click.Group):
            out += _commands(cmd, prefix + name + " ")
    return out


def test_every_command_has_help_with_an_example() -> None:
    for name in _commands(cli):
        cmd = cli
        for part in name.split():
            cmd = cmd.commands[part]  # type: ignore[attr-defined]
        assert cmd.help, f"`trustmeter {name}` has no help text"
        if not isinstance(cmd, click.Group):
            assert "Example:" in cmd.help, f"`trustmeter {name}` --help has no Example: block"


def test_every_top_level_command_is_in_the_readme() -> None:
    readme = (ROOT / "README.md").read_text()
    for name in cli.commands:
        assert f"trustmeter {name}" in readme, f"`trustmeter {name}` is not in README.md"


def test_every_metric_is_documented_with_its_id() -> None:
    docs = "\n".join(p.read_text() for p in (ROOT / "docs" / "metrics").glob("*.md"))
    for mid in all_metrics():
        assert f"`{mid}`" in docs or f"## {mid}" in docs, f"metric {mid} is not in docs/metrics/"


def test_every_framework_param_is_commented_in_the_default_file() -> None:
    text = fw.default_text()
    params = tomllib.loads(text)["params"]
    for line in text.split("[params]", 1)[1].split("[areas", 1)[0].splitlines():
        key = line.split("=", 1)[0].strip()
        if key in params:
            assert "#" in line, f"params.{key} has no comment in default.toml"


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
