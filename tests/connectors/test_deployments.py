"""GitHub and GitLab deployments: the outcome from statuses, and lead time from commits only.

A deployment's created_at is when its job was created: read as the change's created_at (by
the importer's same-name matching) it became the lead-time start, so lead time measured the
deploy job. The real GitLab sample (../shared/data/vendor) and recorded API exchanges in the
shapes GitHub and GitLab document show it no longer does.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from connector_helpers import NOW, VENDOR, Replay, creds, source

from trustmeter.connectors import get_preset, import_preset, sync
from trustmeter.errors import InputError
from trustmeter.ingest import ImportOptions
from trustmeter.store import Store

GITLAB = VENDOR / "gitlab-deployments-devlake" / "deployments.json"


def _rows(store: Store, cols: str) -> list[tuple[Any, ...]]:
    return store.fetch(f"SELECT {cols} FROM change WHERE source <> 'auto' ORDER BY id")


def test_real_gitlab_deployments_keep_the_job_creation_out_of_lead_time(store: Store) -> None:
    r = import_preset(store, "changes", [GITLAB], "gitlab-deployments")
    # 8 deployments: success and failed are kept; created, running, blocked, canceled and
    # DevLake's own "completed"/"undeployed" never reached an environment.
    assert (r.rows_read, r.skipped) == (2, 6)
    assert _rows(store, "id, deployed_at, environment, outcome, service, created_at") == [
        (
            "merico-dev/ee/vdev.co/1",
            dt.datetime(2019, 3, 13, 14, 17, 47, 640000),
            "staging",
            "success",
            "vdev.co",
            None,
        ),
        (
            "merico-dev/ee/vdev.co/3",
            dt.datetime(2019, 3, 13, 15, 2, 23, 332000),
            "staging",
            "failed",
            "vdev.co",
            None,
        ),
    ]


def test_a_preset_ignore_wins_over_same_name_matching() -> None:
    for name in ("github-deployments", "gitlab-deployments"):
        p = get_preset(name, "changes")
        assert "created_at" in p.ignored
        assert p.mapping(["id", "created_at", "first_commit_at"]).columns["created_at"] == ""


def test_an_ignored_column_can_still_be_mapped_by_the_user(store: Store) -> None:
    from trustmeter.ingest import Mapping

    over = Mapping(columns={"created_at": "created_at"})
    import_preset(store, "changes", [GITLAB], "gitlab-deployments", overrides=over)
    assert [c for (c,) in _rows(store, "created_at")] == [
        dt.datetime(2019, 3, 13, 14, 14, 24, 109000),
        dt.datetime(2019, 3, 13, 14, 55, 21, 182000),
    ]


def test_a_github_deployments_list_without_statuses_is_refused(tmp_path: Path) -> None:
    # GET /repos/{owner}/{repo}/deployments as GitHub documents it: no outcome anywhere.
    bare = [
        {
            "url": "https://api.github.com/repos/octocat/example/deployments/1",
            "id": 1,
            "sha": "a84d88e7554fc1fa21bcbc4efae3c782a70d2b9d",
            "ref": "topic-branch",
            "task": "deploy",
            "payload": {},
            "environment": "production",
            "description": "Deploy request from hubot",
            "creator": {"login": "octocat", "id": 1},
            "created_at": "2012-07-20T01:19:13Z",
            "updated_at": "2012-07-20T01:19:13Z",
            "statuses_url": "https://api.github.com/repos/octocat/example/deployments/1/statuses",
            "repository_url": "https://api.github.com/repos/octocat/example",
        }
    ]
    f = tmp_path / "deployments.json"
    f.write_text(json.dumps(bare, indent=2), "utf-8")
    with pytest.raises(InputError) as e:
        import_preset(None, "changes", [f], "github-deployments")  # type: ignore[arg-type]
    msg = str(e.value)
    assert "deployments.json, line 2" in msg
    assert "deployment 1 has no statuses" in msg and "/statuses" in msg


def _sync(store: Store, kind: str, replay: Replay, **options: Any) -> sync.SyncResult:
    return sync.run(
        store,
        source(kind, **options),
        creds(kind),
        "UTC",
        transport=replay,
        sleep=lambda s: None,
        clock=lambda: NOW,
    )


def test_gitlab_sync_takes_the_first_commit_from_the_compare_api(store: Store) -> None:
    replay = Replay("gitlab/sync.json")
    _sync(store, "gitlab", replay, projects=["acme/shop"])
    assert replay.unused() == []
    assert _rows(store, "id, created_at, first_commit_at, deployed_at") == [
        # the first deployment ever: no earlier one to compare with, so no lead time
        ("acme/shop/1", None, None, dt.datetime(2026, 4, 3, 10, 5)),
        ("acme/shop/2", None, None, dt.datetime(2026, 4, 20, 10, 4)),
        # the earliest AUTHOR date among the commits beyond deployment 1 (a rebased commit)
        ("acme/shop/4", None, dt.datetime(2026, 4, 28, 7, 30), dt.datetime(2026, 5, 6, 10, 6)),
    ]


def test_github_sync_takes_the_first_commit_from_the_compare_api(store: Store) -> None:
    replay = Replay("github/sync-lead-time.json")
    _sync(store, "github", replay, repos=["acme/webshop"], since="2026-05-01T00:00:00Z")
    assert replay.unused() == []
    assert _rows(store, "id, outcome, created_at, first_commit_at, deployed_at") == [
        # 202's predecessor (201) was deployed before the cursor: its statuses are fetched
        # only to find its sha
        ("202", "success", None, dt.datetime(2026, 5, 4, 8), dt.datetime(2026, 5, 6, 9, 5)),
        ("203", "success", None, dt.datetime(2026, 5, 11, 12), dt.datetime(2026, 5, 13, 9, 4)),
    ]


def test_github_file_with_first_commit_at_reads_it(store: Store, tmp_path: Path) -> None:
    dep = {
        "id": 7,
        "sha": "b2",
        "environment": "production",
        "repository_url": "https://api.github.com/repos/acme/webshop",
        "created_at": "2026-05-06T09:00:00Z",
        "first_commit_at": "2026-05-01T09:00:00Z",
        "statuses": [{"state": "success", "created_at": "2026-05-06T09:05:00Z"}],
    }
    f = tmp_path / "deployments.json"
    f.write_text(json.dumps([dep]), "utf-8")
    import_preset(store, "changes", [f], "github-deployments", ImportOptions(timezone="UTC"))
    assert _rows(store, "id, created_at, first_commit_at") == [
        ("7", None, dt.datetime(2026, 5, 1, 9))
    ]


def test_real_github_pull_requests(store: Store) -> None:
    """The real pulls list of panjf2000/ants (../shared/data/vendor/github-pulls-devlake):
    merged pull requests are done changes; closed unmerged ones are left out."""
    path = VENDOR / "github-pulls-devlake" / "pulls.json"
    r = import_preset(store, "work-items", [path], "github-pull-requests")
    assert r.skipped == 9  # closed without merging
    got = store.fetch(
        "SELECT id, kind, created_at, done_at FROM work_item WHERE source <> 'auto' ORDER BY id"
    )
    assert len(got) == 15  # #4 is listed twice in the sample: one record
    assert got[0] == (
        "panjf2000/ants#13",
        "change",
        dt.datetime(2018, 9, 28, 11, 37, 28),
        dt.datetime(2018, 9, 29, 11, 29, 54),
    )
    assert (
        "panjf2000/ants#4",
        "change",
        dt.datetime(2018, 7, 25, 8, 19, 30),
        dt.datetime(2018, 7, 26, 2, 32, 41),
    ) in got
