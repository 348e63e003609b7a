"""The compiled report templates kept between processes (report/template_cache.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from jinja2 import DictLoader, Environment
from report_cards import as_card

from trustmeter.report import render_html
from trustmeter.report.template_cache import TemplateCache

TEMPLATES = {"page.j2": "{% for x in xs %}<b>{{ x }}</b>{% endfor %}\n"}


def env(folder: Path, options: str = "a", **kw: Any) -> Environment:
    return Environment(
        loader=DictLoader(TEMPLATES), bytecode_cache=TemplateCache(folder, options), **kw
    )


def no_compiling(e: Environment, monkeypatch: pytest.MonkeyPatch) -> None:
    def compile(*args: Any, **kw: Any) -> Any:
        raise AssertionError("compiled again")

    monkeypatch.setattr(e, "compile", compile)


def test_a_second_environment_reads_the_compiled_template(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "cache" / "templates"  # created on first use
    first = env(folder).get_template("page.j2").render(xs=["<1>", 2])
    assert len(list(folder.iterdir())) == 1
    second = env(folder)  # another process, as far as Jinja knows
    no_compiling(second, monkeypatch)
    assert second.get_template("page.j2").render(xs=["<1>", 2]) == first


def test_other_options_compile_their_own_code(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    plain = env(tmp_path, "autoescape=False").get_template("page.j2").render(xs=["<1>"])
    escaping = env(tmp_path, "autoescape=True", autoescape=True)
    assert escaping.get_template("page.j2").render(xs=["<1>"]) == "<b>&lt;1&gt;</b>"
    assert plain == "<b><1></b>"
    assert len(list(tmp_path.iterdir())) == 2
    again = env(tmp_path, "autoescape=True", autoescape=True)
    no_compiling(again, monkeypatch)
    assert again.get_template("page.j2").render(xs=["<1>"]) == "<b>&lt;1&gt;</b>"


def test_a_damaged_entry_is_compiled_again(tmp_path: Path) -> None:
    env(tmp_path).get_template("page.j2")
    for f in tmp_path.iterdir():
        f.write_bytes(b"not a compiled template")
    assert env(tmp_path).get_template("page.j2").render(xs=[1]) == "<b>1</b>"


def test_a_folder_that_cannot_be_written_only_means_no_caching(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("a file where the folder would be")
    folder = blocker / "templates"
    assert env(folder).get_template("page.j2").render(xs=[1]) == "<b>1</b>"
    assert not folder.exists()


def test_the_report_renders_the_same_from_the_cache(
    tmp_path: Path, card: dict[str, Any], trend: list[dict[str, Any]]
) -> None:
    def report(cache: Path | None) -> str:
        html = render_html(as_card(card), [as_card(t) for t in trend], template_cache=cache)
        # The minute the page was rendered is the only thing allowed to differ.
        return "\n".join(line for line in html.splitlines() if "report generated" not in line)

    folder = tmp_path / "templates"
    fresh = report(None)
    assert report(folder) == fresh
    assert len(list(folder.iterdir())) >= 2  # the report and the templates it includes
