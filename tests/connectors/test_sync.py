"""API sync on recorded responses: paging, rate limits, resuming, and credentials kept out."""

from __future__ import annotations

import logging
from datetime import date
from typing import Any

import httpx
import pytest
from connector_helpers import NOW, SECRET, Replay, creds, source

from trustmeter.connectors import sync
from trustmeter.store import Store


def _run(
    store: Store, kind: str, replay: Replay, sleeps: list[float] | None = None, **options: Any
) -> sync.SyncResult:
    return sync.run(
        store,
        source(kind, **options),
        creds(kind),
        "Europe/Berlin",
        transport=replay,
        sleep=(sleeps.append if sleeps is not None else lambda s: None),
        clock=lambda: NOW,
    )


def _rows(store: Store, table: str, cols: str) -> list[tuple[Any, ...]]:
    return store.fetch(f"SELECT {cols} FROM \"{table}\" WHERE source <> 'auto' ORDER BY id")


def test_pagerduty_pages_and_waits_for_retry_after(store: Store) -> None:
    replay = Replay("pagerduty/sync.json")
    sleeps: list[float] = []
    r = _run(store, "pagerduty", replay, sleeps, page_size=2)
    assert (r.pages, r.records, r.inserted) == (3, 6, 6)
    assert sleeps == [7.0]  # the 429's Retry-After, exactly once
    assert replay.unused() == []
    rows = _rows(store, "incident", "id, severity, acknowledged_at, resolved_at")
    assert rows[0][1:] == ("P1", dt(2026, 4, 2, 8, 17), dt(2026, 4, 2, 9, 2))
    assert rows[2][1] == "P3"  # no priority, high urgency
    assert rows[5][1:] == ("P4", dt(2026, 6, 11, 13, 10), None)
    # the cursor is the creation of the oldest incident still open
    assert sync.load_cursors(store, "pagerduty") == {"incidents": {"since": "2026-06-11T13:00:00Z"}}


def test_an_interrupted_sync_resumes_without_loss_or_duplicates(store: Store) -> None:
    page3 = "Q0RIJJZL5N1ABF"  # the last id of page 2: asking for page 3 fails

    def broken(req: httpx.Request) -> bool:
        return b'"starting_after":"' + page3.encode() + b'"' in req.content.replace(b" ", b"")

    with pytest.raises(sync.SyncError, match="cannot reach"):
        _run(store, "pagerduty", Replay("pagerduty/sync.json", fail=broken), page_size=2)
    assert store.scalar("SELECT count(*) FROM incident WHERE source = 'pagerduty'") == 4
    cursor = sync.load_cursors(store, "pagerduty")["incidents"]
    assert cursor["starting_after"] == page3
    assert store.scalar("SELECT status FROM sync_log ORDER BY id DESC LIMIT 1") == "failed"

    replay = Replay("pagerduty/sync.json")
    r = _run(store, "pagerduty", replay, page_size=2)
    assert r.pages == 1  # only the page that was missing
    assert b"starting_after" in replay.requests[0].content
    assert store.scalar("SELECT count(*) FROM incident WHERE source = 'pagerduty'") == 6
    assert store.scalar("SELECT count(DISTINCT id) FROM incident WHERE source = 'pagerduty'") == 6


def test_credentials_stay_out_of_errors_logs_and_the_database(
    store: Store, caplog: pytest.LogCaptureFixture, capsys: pytest.CaptureFixture[str]
) -> None:
    class Echo(httpx.BaseTransport):
        """A server that answers 401 and echoes the request's headers in its body."""

        def handle_request(self, request: httpx.Request) -> httpx.Response:
            seen = "; ".join(f"{k}: {v}" for k, v in request.headers.items())
            return httpx.Response(401, text=f"invalid credentials ({seen})", request=request)

    caplog.set_level(logging.DEBUG)
    logged: list[str] = []
    with pytest.raises(sync.SyncError) as info:
        sync.run(
            store, source("pagerduty"), creds("pagerduty"), transport=Echo(), log=logged.append
        )
    message = str(info.value)
    assert "credentials were refused (401)" in message
    assert SECRET not in message and "***" in message
    # a successful run logs pages; none of it may hold the token
    _run(store, "pagerduty", Replay("pagerduty/sync.json"), page_size=2)
    text = message + "".join(logged) + caplog.text + "".join(capsys.readouterr())
    assert SECRET not in text
    for table in ("sync_log", "sync_cursor", "incident", "import_log"):
        dump = repr(store.fetch(f"SELECT * FROM {table}"))
        assert SECRET not in dump, table


def test_jira_issues_with_changelog_start_times_and_sprints(store: Store) -> None:
    replay = Replay("jira/sync.json")
    r = _run(store, "jira", replay, boards=[12], story_points_field="customfield_10016")
    assert (r.pages, r.records) == (3, 5)
    assert replay.unused() == []
    # OPS-2 joined the sprint after it started; OPS-4 was in it but not resolved
    assert _rows(
        store,
        "commitment",
        "id, kind, committed_on, due_on, delivered_on, scope_committed, scope_delivered",
    ) == [("12/37", "sprint", date(2026, 4, 1), date(2026, 4, 14), date(2026, 4, 14), 8.0, 5.0)]
    assert replay.requests[1].headers["Authorization"].startswith("Basic ")
    rows = _rows(
        store, "work_item", "id, kind, created_at, started_at, done_at, effort_hours, team"
    )
    assert rows[0] == (
        "OPS-1",
        "story",
        dt(2026, 4, 1, 7),
        dt(2026, 4, 2, 8),
        dt(2026, 4, 8, 15),
        4.0,
        "Platform",  # customfield_10050, matched by its name (GET /field)
    )
    assert rows[2][1] == "request" and rows[2][3] is None
    assert rows[3][3] == dt(2026, 4, 7, 8) and rows[3][4] is None
    assert sync.load_cursors(store, "jira") == {
        # the newest update, and the issues within the overlap before it (skipped if unchanged)
        "issues": {
            "since": "2026-04-08T15:00:00Z",
            "seen": {"OPS-1": "2026-04-08T17:00:00.000+0200"},
        },
        "sprints:12": {"done": ["37"]},
    }


def test_servicenow_table_api_by_offset(store: Store) -> None:
    replay = Replay("servicenow/sync.json")
    r = _run(store, "servicenow", replay, page_size=2, tables=["incident"])
    assert (r.pages, r.records) == (3, 5)
    assert replay.requests[0].headers["Authorization"].startswith("Basic ")
    rows = _rows(store, "incident", "id, opened_at, severity, service, resolver")
    assert rows[0] == ("INC0010001", dt(2026, 4, 2, 8, 14), "P1", "ERP", "Beth Anglin")


def test_github_deployments_releases_and_pull_requests(store: Store) -> None:
    replay = Replay("github/sync.json")
    r = _run(store, "github", replay, repos=["acme/webshop"])
    assert replay.unused() == []
    assert r.skipped == 3  # an unfinished deployment, a draft release, an unmerged pull request
    changes = _rows(store, "change", "id, outcome, deployed_at, service")
    assert changes == [
        ("101", "success", dt(2026, 4, 2, 8, 6), "webshop"),
        ("102", "failed", dt(2026, 4, 15, 9, 7), "webshop"),
        ("acme/webshop@v1.1", "success", dt(2026, 4, 2, 8), "webshop"),
    ]
    prs = _rows(store, "work_item", "id, kind, done_at")
    assert prs == [
        ("acme/webshop#10", "change", dt(2026, 4, 2, 7, 30)),
        ("acme/webshop#12", "change", None),
    ]


def test_gitlab_deployments_and_merge_requests(store: Store) -> None:
    replay = Replay("gitlab/sync.json")
    r = _run(store, "gitlab", replay, projects=["acme/shop"])
    assert (r.pages, r.skipped) == (3, 2)
    assert replay.unused() == []
    assert replay.requests[0].headers["PRIVATE-TOKEN"] == SECRET
    assert _rows(store, "change", "id, outcome, environment") == [
        ("acme/shop/1", "success", "production"),
        ("acme/shop/2", "failed", "production"),
        ("acme/shop/4", "success", "production"),
    ]
    assert _rows(store, "work_item", "id, done_at") == [("acme/shop!7", dt(2026, 4, 3, 9))]


def test_retry_after_as_a_date_and_backoff() -> None:
    now = NOW
    assert sync.retry_after("Wed, 01 Jul 2026 12:00:30 GMT", now) == 30.0
    assert sync.retry_after("120", now) == 120.0
    assert sync.retry_after("soon", now) is None


def dt(*a: int) -> Any:
    import datetime

    return datetime.datetime(*a)


def test_a_sync_stopped_by_the_user_is_marked_and_resumes(store: Store) -> None:
    def stop(req: httpx.Request) -> bool:
        if b"starting_after" in req.content:
            raise KeyboardInterrupt
        return False

    with pytest.raises(KeyboardInterrupt):
        _run(store, "pagerduty", Replay("pagerduty/sync.json", fail=stop), page_size=2)
    assert store.scalar("SELECT status FROM sync_log") == "interrupted"
    assert store.scalar("SELECT count(*) FROM incident WHERE source = 'pagerduty'") == 2
    r = _run(store, "pagerduty", Replay("pagerduty/sync.json"), page_size=2)
    assert r.pages == 2
    assert store.scalar("SELECT count(*) FROM incident WHERE source = 'pagerduty'") == 6


def test_the_classic_incidents_api_shape() -> None:
    from trustmeter.connectors.pagerduty import to_row

    row = to_row(
        {
            "id": "PT4KHLK",
            "type": "incident",
            "incident_number": 1234,
            "title": "The server is on fire.",
            "created_at": "2015-10-06T21:30:42Z",
            "status": "resolved",
            "last_status_change_at": "2015-10-06T21:40:23Z",
            "urgency": "high",
            "service": {"id": "PIJ90N7", "type": "service_reference", "summary": "My Mail Service"},
            "priority": {"id": "P53ZZH5", "type": "priority_reference", "summary": "P2"},
            "acknowledgements": [{"at": "2015-10-06T21:32:52Z", "acknowledger": {"id": "PXPGF42"}}],
        }
    )
    assert row["service_name"] == "My Mail Service" and row["severity"] == "P2"
    assert row["acknowledged_at"] == "2015-10-06T21:32:52Z"
    assert row["resolved_at"] == "2015-10-06T21:40:23Z"
