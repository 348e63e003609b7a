"""The shape of the code: no import cycles, and modules a reader can hold in their head.

Run alone with `pytest tests/test_architecture.py` (or `lint-imports` for the layers). The import
graph comes from grimp, which reads every import statement (those inside functions too)
without importing anything; import-linter checks the layers declared in pyproject.toml.
"""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import grimp
import pytest

SRC = Path(__file__).resolve().parents[1] / "src"
PACKAGE = "trustmeter"
MAX_LINES = 400

# Modules still over MAX_LINES, with their line count when listed, and why. A listed module may
# not grow past its count (lower the count when it shrinks), and leaves the list when it is
# split: the test fails on a module listed but short enough.
OVER_LIMIT = {
    # One module per area, each metric declared in it with its query; splitting an area across
    # files would scatter what FRAMEWORK.md groups. To shrink as metric shapes are declared.
    "trustmeter/metrics/delivery.py": 647,
    "trustmeter/metrics/stability.py": 697,
    "trustmeter/metrics/talent.py": 592,
    "trustmeter/metrics/planning.py": 543,
    "trustmeter/metrics/relationships.py": 435,
    "trustmeter/cli/forecast.py": 548,  # six forecast commands and their shared options
    "trustmeter/forecast/montecarlo.py": 467,  # the engine: when, how-many, likelihood
    "trustmeter/connectors/sync.py": 458,  # the sync loop, its HTTP client, cursors and log
}


@pytest.fixture(scope="module")
def graph() -> grimp.ImportGraph:
    return grimp.build_graph(PACKAGE, cache_dir=None)


PACKAGES = sorted(
    m
    for m in grimp.build_graph(PACKAGE, cache_dir=None).modules
    if (SRC / Path(*m.split("."))).is_dir()
)


@pytest.mark.parametrize("package", PACKAGES)
def test_no_import_cycle_among_a_packages_modules(graph: grimp.ImportGraph, package: str) -> None:
    # The imports whose removal would leave the package's modules acyclic: none.
    assert graph.nominate_cycle_breakers(package) == set()


@pytest.mark.parametrize("package", PACKAGES)
def test_no_import_cycle_through_modules_outside_the_package(
    graph: grimp.ImportGraph, package: str
) -> None:
    inside = {package, *graph.find_descendants(package)}
    outside = {
        imported
        for module in inside
        for imported in graph.find_modules_directly_imported_by(module)
        if imported not in inside and not package.startswith(imported + ".")
    }
    leads_back = sorted(
        m for m in outside if graph.chain_exists(importer=m, imported=package, as_packages=True)
    )
    assert leads_back == [], f"{package} imports these, and they import it back: {leads_back}"


def _line_counts() -> dict[str, int]:
    return {
        path.relative_to(SRC).as_posix(): len(path.read_text("utf-8").splitlines())
        for path in sorted((SRC / PACKAGE).rglob("*.py"))
    }


def test_no_module_is_over_the_line_limit_unless_listed() -> None:
    over = {name: n for name, n in _line_counts().items() if n > MAX_LINES}
    unlisted = {name: n for name, n in over.items() if name not in OVER_LIMIT}
    assert unlisted == {}, f"over {MAX_LINES} lines: split them (or list them, saying why)"


def test_a_listed_module_does_not_grow() -> None:
    counts = _line_counts()
    grown = {name: counts[name] for name, n in OVER_LIMIT.items() if counts.get(name, 0) > n}
    assert grown == {}, "grew past its listed count: split it rather than grow it"


def test_the_allow_list_holds_only_modules_still_over_the_limit() -> None:
    counts = _line_counts()
    stale = sorted(name for name in OVER_LIMIT if counts.get(name, 0) <= MAX_LINES)
    assert stale == [], f"no longer over {MAX_LINES} lines (or gone): remove from OVER_LIMIT"


def test_every_arrow_points_down() -> None:
    # Layers as pyproject.toml's [tool.importlinter] declares them (docs/architecture.md). In a
    # process of its own: import-linter configures logging, which would silence the loggers
    # that other tests read.
    code = (
        "import sys; from importlinter.cli import lint_imports; "
        f"sys.exit(lint_imports(config_filename={str(SRC.parent / 'pyproject.toml')!r}, "
        "no_cache=True))"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert run.returncode == 0, run.stdout + run.stderr


def _cycles(graph: grimp.ImportGraph) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan, iteratively)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    found: list[list[str]] = []
    counter = 0
    for root in sorted(graph.modules):
        if root in index:
            continue
        work = [(root, iter(sorted(graph.find_modules_directly_imported_by(root))))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append(
                        (child, iter(sorted(graph.find_modules_directly_imported_by(child))))
                    )
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    m = stack.pop()
                    on_stack.discard(m)
                    component.append(m)
                    if m == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def test_the_cycle_finder_finds_a_cycle() -> None:
    """The check below could not fail if this did not."""
    g = grimp.ImportGraph()
    for m in ("p", "p.a", "p.b", "p.c"):
        g.add_module(m)
    g.add_import(importer="p.a", imported="p.b")
    g.add_import(importer="p.b", imported="p.a")
    g.add_import(importer="p.c", imported="p.a")
    assert _cycles(g) == [["p.a", "p.b"]]


def test_no_import_cycles() -> None:
    graph = grimp.build_graph("trustmeter", cache_dir=None)
    assert _cycles(graph) == []


def _is_private(part: str) -> bool:
    return part.startswith("_") and not (part.startswith("__") and part.endswith("__"))


def _private_imports(module: str, source: str, is_module: Callable[[str], bool]) -> list[str]:
    """The imports in `source` of a private name, or of another package's private module.

    A package's private modules (`ingest/_columns.py`) are for the package's own modules; a
    private name (`_kept`) is for its own module. Other code goes through a public module.
    """
    package = module.rsplit(".", 1)[0]
    found = []
    for node in ast.walk(ast.parse(source)):
        if not (isinstance(node, ast.ImportFrom) and node.module):
            continue
        if not node.module.startswith(PACKAGE):
            continue
        for alias in node.names:
            parts = f"{node.module}.{alias.name}".split(".")
            for i in (i for i, part in enumerate(parts) if _is_private(part)):
                owner, target = ".".join(parts[:i]), ".".join(parts[: i + 1])
                inside = package == owner or package.startswith(owner + ".")
                if not (is_module(target) and inside):
                    found.append(f"{module} imports {'.'.join(parts)}")
                    break
    return found


def _is_source_module(name: str) -> bool:
    path = SRC / Path(*name.split("."))
    return path.with_suffix(".py").exists() or path.is_dir()


def test_the_private_import_finder_finds_them() -> None:
    """The check below could not fail if this did not."""
    source = (
        "from trustmeter.ingest._columns import resolve\n"
        "from trustmeter.ingest import _times\n"
        "from trustmeter.ingest._importer import _kept\n"
    )
    assert _private_imports("trustmeter.ingest._convert", source, _is_source_module) == [
        "trustmeter.ingest._convert imports trustmeter.ingest._importer._kept"
    ]
    assert _private_imports("trustmeter.connectors.sync", source, _is_source_module) == [
        "trustmeter.connectors.sync imports trustmeter.ingest._columns.resolve",
        "trustmeter.connectors.sync imports trustmeter.ingest._times",
        "trustmeter.connectors.sync imports trustmeter.ingest._importer._kept",
    ]


def test_no_module_imports_a_private_name_from_outside_its_package() -> None:
    found = []
    for path in sorted((SRC / PACKAGE).rglob("*.py")):
        parts = path.relative_to(SRC).with_suffix("").parts
        # A package's __init__ is named as if a child of the package, so it counts as inside.
        found += _private_imports(".".join(parts), path.read_text("utf-8"), _is_source_module)
    assert found == [], "import a public module instead (ingest/readers.py for connectors)"


# SQL statements are written in store/ (docs/architecture.md). Modules still writing their own,
# and why: to move to store/ as the house asks.
SQL_OUTSIDE_STORE = {
    "trustmeter/web/campaigns.py",  # marks imported survey responses; to move to store/campaigns
    "trustmeter/backup/tables.py",  # restore's schema_version rows; to move to store/
    "trustmeter/backup/load.py",  # restore's generic insert per table, built from the file
}
SQL_STATEMENT = re.compile(
    r"""["'](INSERT INTO|UPDATE \w+ SET|DELETE FROM|SELECT [\w(),.*+\- ]+ FROM \w+|CREATE TABLE)"""
)


def test_the_sql_finder_finds_a_statement() -> None:
    """The check below could not fail if this did not."""
    assert SQL_STATEMENT.search('scalar("SELECT coalesce(max(id), 0) + 1 FROM import_log")')
    assert not SQL_STATEMENT.search('raise InputError(file, "select a column from the file")')


def test_no_sql_is_written_outside_store_unless_listed() -> None:
    outside = {
        name
        for name in _line_counts()
        if not name.startswith(f"{PACKAGE}/store/")
        and SQL_STATEMENT.search((SRC / name).read_text("utf-8"))
    }
    assert outside - SQL_OUTSIDE_STORE == set(), "move the statements to a module in store/"
    assert SQL_OUTSIDE_STORE - outside == set(), "no SQL left: remove from SQL_OUTSIDE_STORE"
