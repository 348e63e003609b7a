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


def _commit_at(repo: Path, name: str, authored: str, committed: str | None = None) -> None:
    """A commit with its own author and committer times (a rebase keeps the author's)."""
    (repo / f"{name}.txt").write_text(name + "\n")
    env = {
        **os.environ,
        "GIT_CONFIG_GLOBAL": os.devnull,
        "GIT_CONFIG_SYSTEM": os.devnull,
        "GIT_AUTHOR_DATE": authored,
        "GIT_COMMITTER_DATE": committed or authored,
    }
    run = ["git", "-C", str(repo), "-c", "user.name=Dev", "-c", "user.email=dev@acme.example"]
    subprocess.run([*run, "add", f"{name}.txt"], check=True, env=env, capture_output=True)
    subprocess.run([*run, "commit", "-qm", name], check=True, env=env, capture_output=True)


def _merge(repo: Path, branch: str, when: str) -> None:
    _git(
        repo,
        "-c",
        "user.name=Dev",
        "-c",
        "user.email=dev@acme.example",
        "merge",
        "-q",
        "--no-ff",
        "-m",
        f"merge {branch}",
        branch,
        when=when,
    )


def _tag(repo: Path, name: str, when: str) -> None:
    rel = ["-c", "user.name=Rel", "-c", "user.email=rel@acme.example", "tag", "-a"]
    _git(repo, *rel, name, "-m", f"Release {name}", when=when)


@pytest.fixture
def maintained(tmp_path: Path) -> Path:
    """main with releases 1.0.0, 1.1.0, 1.2.0, 1.3.0 and a 1.0.x branch whose maintenance
    releases 1.0.1 and 1.0.2 are tagged between them; 1.2.0 also ships work authored before
    1.0.0 but rebased and merged only later."""
    r = tmp_path / "shop"
    r.mkdir()
    _git(r, "init", "-q", "-b", "main")
    _commit_at(r, "c1", "2026-01-01T09:00:00+00:00")
    _commit_at(r, "c2", "2026-01-05T09:00:00+00:00")
    _tag(r, "1.0.0", when="2026-01-06T09:00:00+00:00")
    _git(r, "branch", "old-work")
    _git(r, "branch", "1.0.x")
    _commit_at(r, "c3", "2026-01-10T09:00:00+00:00")
    _commit_at(r, "c4", "2026-01-12T09:00:00+00:00")
    _tag(r, "1.1.0", when="2026-01-13T09:00:00+00:00")
    _git(r, "checkout", "-q", "1.0.x")
    _commit_at(r, "f1", "2026-01-14T09:00:00+00:00")
    _tag(r, "1.0.1", when="2026-01-15T09:00:00+00:00")
    _git(r, "checkout", "-q", "old-work")
    _commit_at(r, "old", "2026-01-03T09:00:00+00:00", committed="2026-01-17T09:00:00+00:00")
    _git(r, "checkout", "-q", "main")
    _merge(r, "1.0.x", "2026-01-16T09:00:00+00:00")
    _commit_at(r, "c5", "2026-01-18T09:00:00+00:00")
    _merge(r, "old-work", "2026-01-19T09:00:00+00:00")
    _tag(r, "1.2.0", when="2026-01-20T09:00:00+00:00")
    _git(r, "checkout", "-q", "1.0.x")
    _commit_at(r, "f2", "2026-01-21T09:00:00+00:00")
    _tag(r, "1.0.2", when="2026-01-22T09:00:00+00:00")
    _git(r, "checkout", "-q", "main")
    _commit_at(r, "c6", "2026-01-25T09:00:00+00:00")
    _tag(r, "1.3.0", when="2026-01-26T09:00:00+00:00")
    return r


def _independent(repo: Path) -> dict[str, tuple[int, dt.datetime]]:
    """Per release: how many commits `git log TAG --not EARLIER_TAGS` lists and the earliest
    author time among them, computed here with plain git and tag names."""
    order = ["1.0.0", "1.1.0", "1.0.1", "1.2.0", "1.0.2", "1.3.0"]  # as tagged
    out: dict[str, tuple[int, dt.datetime]] = {}
    for i, tag in enumerate(order):
        log = subprocess.run(
            ["git", "-C", str(repo), "log", tag, "--format=%at", "--not", *order[:i]],
            check=True,
            capture_output=True,
            text=True,
        ).stdout.split()
        times = [dt.datetime.fromtimestamp(int(t), dt.UTC).replace(tzinfo=None) for t in log]
        out[tag] = (len(times), min(times))
    return out


def test_releases_ship_only_what_no_earlier_release_shipped(store: Store, maintained: Path) -> None:
    import_preset(store, "changes", [maintained], "git")
    got = {
        tag: first
        for tag, first in store.fetch("SELECT id, first_commit_at FROM change WHERE source = 'git'")
    }
    truth = _independent(maintained)
    assert got == {tag: first for tag, (_, first) in truth.items()}
    # 1.3.0 ships c6 alone, though 1.0.2 (on the maintenance branch) was tagged just before it
    assert truth["1.3.0"] == (1, dt.datetime(2026, 1, 25, 9))
    # 1.2.0 ships the rebased work authored on Jan 3, not only what came after 1.1.0 / 1.0.1
    assert truth["1.2.0"] == (4, dt.datetime(2026, 1, 3, 9))
    assert truth["1.0.1"] == (1, dt.datetime(2026, 1, 14, 9))
    lead = store.fetch(
        "SELECT id, deployed_at - first_commit_at FROM change WHERE id IN ('1.2.0', '1.3.0') "
        "ORDER BY id"
    )
    assert lead == [("1.2.0", dt.timedelta(days=17)), ("1.3.0", dt.timedelta(days=1))]
