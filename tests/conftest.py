"""Shared fixtures. Every test that takes `store` runs on DuckDB and on PostgreSQL.

PostgreSQL runs when TRUSTMETER_TEST_PG names a server (`scripts/postgres.sh` starts one and
prints its URL); each pytest session gets a database of its own, and each test a fresh schema.
Set TRUSTMETER_REQUIRE_PG=1 (CI does) to fail rather than skip when it is missing.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

import artifacts
from trustmeter.store import Store, connect, migrate

REAL_DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "real"
PG_URL = os.environ.get("TRUSTMETER_TEST_PG")


def _backends() -> list[object]:
    pg = pytest.param("postgres", marks=pytest.mark.postgres)
    return ["duckdb", pg]


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "postgres: runs against a PostgreSQL server")


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Name the folder the run's artefacts went to (tests/artifacts.py), if any were written."""
    if artifacts.used():
        terminalreporter.write_line(f"test artefacts: {artifacts.artifacts_dir()}")


@pytest.fixture(scope="session")
def pg_database() -> Iterator[str]:
    if not PG_URL:
        if os.environ.get("TRUSTMETER_REQUIRE_PG"):
            pytest.fail("TRUSTMETER_TEST_PG is not set but TRUSTMETER_REQUIRE_PG is")
        pytest.skip("PostgreSQL not configured (set TRUSTMETER_TEST_PG)")
    name = "tm_test_" + uuid.uuid4().hex[:10]
    admin = connect(PG_URL)
    admin.execute(f"CREATE DATABASE {name}")
    admin.close()
    base = PG_URL.rsplit("/", 1)[0]
    yield f"{base}/{name}"
    admin = connect(PG_URL)
    admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    admin.close()


@pytest.fixture(params=_backends())
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A URL to an empty, migrated database on each engine."""
    if request.param == "duckdb":
        url = f"duckdb:///{tmp_path / 'test.duckdb'}"
        s = connect(url)
    else:
        url = request.getfixturevalue("pg_database")
        s = connect(url)
        s.execute("DROP SCHEMA IF EXISTS public CASCADE")
        s.execute("CREATE SCHEMA public")
    migrate(s)
    s.close()
    return url


@pytest.fixture
def store(db_url: str) -> Iterator[Store]:
    s = connect(db_url)
    yield s
    s.close()


@pytest.fixture
def real_data() -> Path:
    if not REAL_DATA.is_dir():
        pytest.fail(f"the real data folder {REAL_DATA} is missing (../shared beside the repo)")
    return REAL_DATA
