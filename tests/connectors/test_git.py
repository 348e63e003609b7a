"""The git connector on a real repository that the test builds: tags, commits, lead times."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from trustmeter.connectors import import_preset
from trustmeter.connectors.git import is_release
from trustmeter.errors import InputError
from trustmeter.store import Store

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")


def _git(repo: Path, *args: str, when: str | None = None) -> None:
    env = {**os.environ, "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_SYSTEM": os.devnull}
    if when:
        env |= {"GIT_AUTHOR_DATE": when, "GIT_COMMITTER_DATE": when}
    subprocess.run(["git", "-C", str(repo), *args], check=True, env=env, capture_output=True)


def _commit(repo: Path, n: int, when: str) -> None:
    (repo / "app.txt").write_text(f"change {n}\n")
    _git(repo, "add", "app.txt")
    _git(
        repo,
        "-c",
        "user.name=Dev",
        "-c",
        "user.email=dev@acme.example",
        "commit",
        "-m",
        f"change {n}",
        when=when,
    )


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    r = tmp_path / "billing-api"
    r.mkdir()
    _git(r, "init", "-q", "-b", "main")
    _commit(r, 1, "2026-04-01T09:00:00+02:00")
    _commit(r, 2, "2026-04-02T15:00:00+02:00")
    tag = ["-c", "user.name=Rel", "-c", "user.email=rel@acme.example", "tag", "-a"]
    _git(r, *tag, "v1.0.0", "-m", "First release", when="2026-04-03T10:00:00+02:00")
    _commit(r, 3, "2026-04-10T11:00:00+02:00")
    _git(r, "tag", "v1.1.0-rc1", when="2026-04-10T12:00:00+02:00")  # a pre-release: not a release
    _commit(r, 4, "2026-04-12T08:00:00+02:00")
    _git(r, *tag, "v1.1.0", "-m", "Second release", when="2026-04-14T18:00:00+02:00")
    _git(r, "tag", "nightly", when="2026-04-15T00:00:00+02:00")  # not a version
    _commit(r, 5, "2026-04-20T08:00:00+02:00")
    _git(r, "tag", "v1.2", when="2026-04-20T09:00:00+02:00")  # lightweight: the commit's date
    return r


def test_release_tags_become_production_changes_with_lead_time(store: Store, repo: Path) -> None:
    r = import_preset(store, "changes", [repo], "git")
    assert r.rows_read == 3
    got = store.fetch(
        "SELECT id, deployed_at, first_commit_at, service, title, outcome, environment "
        "FROM change WHERE source = 'git' ORDER BY deployed_at"
    )
    utc = dt.datetime
    assert got == [
        (
            "v1.0.0",
            utc(2026, 4, 3, 8),
            utc(2026, 4, 1, 7),
            "billing-api",
            "First release",
            "success",
            "production",
        ),
        (
            "v1.1.0",
            utc(2026, 4, 14, 16),
            utc(2026, 4, 10, 9),
            "billing-api",
            "Second release",
            "success",
            "production",
        ),
        (
            "v1.2",
            utc(2026, 4, 20, 6),
            utc(2026, 4, 20, 6),
            "billing-api",
            "change 5",
            "success",
            "production",
        ),
    ]
    again = import_preset(store, "changes", [repo], "git")
    assert (again.inserted, again.unchanged) == (0, 3)


def test_a_folder_that_is_not_a_repository(store: Store, tmp_path: Path) -> None:
    with pytest.raises(InputError, match="git for-each-ref failed"):
        import_preset(store, "changes", [tmp_path], "git")
    assert store.scalar("SELECT count(*) FROM change") == 0


def test_which_tags_are_releases() -> None:
    assert all(is_release(t) for t in ("v1.2.3", "1.4", "release-2024.05", "2024.05.1", "V2"))
    assert not any(is_release(t) for t in ("v1.0-rc1", "2.0.0-beta.2", "nightly", "deploy-prod"))
