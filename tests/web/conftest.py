"""Fixtures: a seeded workspace, an app over it and clients, on DuckDB and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from argon2 import PasswordHasher
from fastapi.testclient import TestClient
from web_helpers import BASE, PASSWORD, SECRET, login, seed

from trustmeter.store import connect
from trustmeter.web import accounts
from trustmeter.web.app import create_app
from trustmeter.web.settings import WebSettings
from trustmeter.workspace import Workspace


@pytest.fixture(autouse=True)
def cheap_hashes(monkeypatch: pytest.MonkeyPatch) -> None:
    """argon2 at its real cost takes ~0.1 s a hash; the tests check behaviour, not cost."""
    monkeypatch.setattr(
        accounts, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    )


@pytest.fixture
def workspace(db_url: str, tmp_path: Path) -> Workspace:
    store = connect(db_url)
    try:
        seed(store)
        accounts.add(store, "admin", PASSWORD, "admin")
        accounts.add(store, "viewer", PASSWORD, "viewer")
    finally:
        store.close()
    return Workspace(tmp_path, "acme-it", "mid", "UTC", db_url, None, {})


@pytest.fixture
def app(workspace: Workspace) -> Iterator[Any]:
    application = create_app(workspace, WebSettings(secret=SECRET))
    yield application
    application.state.web.scorecards.close()
    application.state.web.db.close()


@pytest.fixture
def client(app: Any) -> Iterator[TestClient]:
    with TestClient(app, base_url=BASE) as c:
        yield c


@pytest.fixture
def admin(client: TestClient) -> TestClient:
    assert login(client).status_code == 303
    return client
