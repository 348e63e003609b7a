"""Jira on the real Jira Cloud sample (../shared/data/vendor/jira-cloud-agile-issues-devlake):
Chinese issue types, a summary with a NUL, +0800 offsets; issues done by status category
without a resolution; custom fields by name; the sync cursor in the API user's zone."""

from __future__ import annotations

import copy
import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from connector_helpers import NOW, VENDOR, Replay, creds, source

from trustmeter.connectors import get_preset, import_preset, sync
from trustmeter.connectors.explain import explain, render
from trustmeter.connectors.importing import fitted, opener, read_options
from trustmeter.errors import InputError
from trustmeter.ingest import ImportOptions, Mapping
from trustmeter.store import Store

SAMPLE = VENDOR / "jira-cloud-agile-issues-devlake" / "issues.json"
UTC = ImportOptions(timezone="UTC")


def _issues() -> list[dict[str, Any]]:
    data: list[dict[str, Any]] = json.loads(SAMPLE.read_text("utf-8"))
    return data


def _rows(store: Store, cols: str) -> list[tuple[Any, ...]]:
    return store.fetch(f"SELECT {cols} FROM work_item WHERE source = 'jira' ORDER BY id")


def _dump(tmp_path: Path, issues: list[dict[str, Any]]) -> Path:
    f = tmp_path / "issues.json"
    f.write_text(json.dumps(issues, ensure_ascii=False, indent=1), "utf-8")
    return f


def test_the_real_sample_imports_with_its_chinese_issue_types(store: Store) -> None:
    r = import_preset(store, "work-items", [SAMPLE], "jira", UTC)
    assert r.rows_read == 11
    kinds = dict(store.fetch("SELECT kind, count(*) FROM work_item GROUP BY kind"))
    assert kinds == {"story": 7, "bug": 1, "task": 3}  # 故事, 缺陷, 子任务
    got = _rows(store, "id, kind, created_at, started_at, done_at")
    # +0800 times in UTC; started = first move into an in-progress status (In Development)
    assert got[0] == (
        "EE-1",
        "story",
        dt.datetime(2020, 6, 12, 0, 13, 13, 360000),
        dt.datetime(2020, 6, 12, 3, 38, 39, 785000),
        dt.datetime(2020, 6, 19, 6, 31, 18, 495000),
    )


def test_a_summary_with_a_nul_does_not_refuse_the_file(store: Store) -> None:
    # EE-4's summary ends in a NUL, as Jira stored it. The kinds are mapped here so that this
    # test shows the NUL alone.
    words = Mapping(values={"kind": {"故事": "story", "缺陷": "bug", "子任务": "task"}})
    r = import_preset(store, "work-items", [SAMPLE], "jira", UTC, overrides=words)
    assert r.rows_read == 11
    (title,) = store.fetch("SELECT title FROM work_item WHERE id = 'EE-4'")[0]
    assert title == "\u200b问题分布的帕累托图"


def test_a_csv_summary_with_a_nul_does_not_refuse_the_file(store: Store, tmp_path: Path) -> None:
    f = tmp_path / "jira.csv"
    f.write_text(
        "Summary,Issue key,Issue Type,Created,Resolved\n"
        "Pareto chart\x00,EE-4,Story,12/Jun/20 8:15 AM,23/Jun/20 6:21 PM\n",
        "utf-8",
    )
    import_preset(store, "work-items", [f], "jira", UTC)
    assert _rows(store, "id, title") == [("EE-4", "Pareto chart")]


def test_a_done_category_status_without_a_resolution_is_done(store: Store, tmp_path: Path) -> None:
    """Workflows that never set a resolution: the issue is done when its status entered the
    Done category (statuscategorychangedate, else the changelog)."""
    base = next(i for i in _issues() if i["key"] == "EE-2")
    by_field = copy.deepcopy(base)
    by_field["key"] = "EE-902"
    by_log = copy.deepcopy(base)
    by_log["key"] = "EE-903"
    del by_log["fields"]["statuscategorychangedate"]
    # EE-903's last move: Resolved -> Closed (both Done) after Open -> Resolved; its own
    # status is the only one known to be done without the site's list, so it is Closed's time
    by_log["fields"]["status"] = {
        "id": "6",
        "name": "Closed",
        "statusCategory": {"id": 3, "key": "done", "name": "完成"},
    }
    open_ = copy.deepcopy(base)
    open_["key"] = "EE-904"
    open_["fields"]["status"]["statusCategory"] = {"id": 2, "key": "new", "name": "新建"}
    for issue in (by_field, by_log, open_):
        issue["fields"]["resolutiondate"] = None
        issue["fields"]["resolution"] = None
    import_preset(store, "work-items", [_dump(tmp_path, [by_field, by_log, open_])], "jira", UTC)
    assert _rows(store, "id, done_at") == [
        ("EE-902", dt.datetime(2020, 6, 23, 10, 20, 59, 35000)),
        ("EE-903", dt.datetime(2020, 11, 10, 1, 43, 2, 579000)),
        ("EE-904", None),
    ]


def test_a_sites_own_issue_types_map_by_value_and_explain_says_how(
    store: Store, tmp_path: Path
) -> None:
    issue = copy.deepcopy(_issues()[0])
    issue["fields"]["issuetype"]["name"] = "需求"  # a site's own type: "requirement"
    f = _dump(tmp_path, [issue])
    with pytest.raises(InputError, match="需求"):
        import_preset(store, "work-items", [f], "jira", UTC)
    preset = get_preset("jira", "work-items")
    mapping = fitted(preset, [f], None, None, UTC)
    shown = render(
        explain(
            "work-items", [f], mapping, opener(preset, read_options(mapping, UTC)), "UTC", preset
        )
    )
    assert '--value kind:"需求"=…' in shown
    assert "[sources.NAME.values.kind]" in shown and "story" in shown
    words = Mapping(values={"kind": {"需求": "story"}})
    import_preset(store, "work-items", [f], "jira", UTC, overrides=words)
    assert _rows(store, "id, kind") == [("EE-1", "story")]


def _sync(store: Store, replay: Replay, **options: Any) -> sync.SyncResult:
    return sync.run(
        store,
        source("jira", **options),
        creds("jira"),
        "UTC",
        transport=replay,
        sleep=lambda s: None,
        clock=lambda: NOW,
    )


def test_sync_queries_in_the_users_zone_with_an_overlap_and_skips_what_it_saw(
    store: Store,
) -> None:
    """The last run ended at OPS-1's update, 2026-04-08 15:00 UTC. The API user is in Los
    Angeles, where JQL reads "2026/04/08 15:00" as 22:00 UTC: seven hours of updates would be
    skipped. The query starts at 07:50 Los Angeles time (10 minutes' overlap); OPS-1, met again
    unchanged in the overlap, is not written again; site types in Chinese map through the
    source's own values table."""
    cursor = {"since": "2026-04-08T15:00:00Z", "seen": {"OPS-1": "2026-04-08T17:00:00.000+0200"}}
    store.execute(
        "INSERT INTO sync_cursor (source, stream, cursor, updated_at) "
        "VALUES ('jira', 'issues', ?, current_timestamp)",
        (json.dumps(cursor),),
    )
    replay = Replay("jira/sync-zone.json")
    r = _sync(store, replay, values={"kind": {"需求": "story"}})
    assert replay.unused() == []
    assert (r.records, r.inserted) == (2, 2)
    assert _rows(store, "id, kind, done_at") == [
        ("OPS-7", "story", dt.datetime(2026, 4, 8, 18, 30)),
        ("OPS-8", "bug", dt.datetime(2026, 4, 8, 19)),
    ]
    saved = sync.load_cursors(store, "jira")["issues"]
    assert saved == {
        "since": "2026-04-08T19:00:00Z",
        "seen": {"OPS-8": "2026-04-08T12:00:00.000-0700"},
    }


def test_wall_clock_in_a_zone_around_the_clock_change() -> None:
    ten = dt.timedelta(minutes=10)
    assert (
        sync.wall_clock(dt.datetime(2026, 4, 8, 15), "America/Los_Angeles", ten)
        == "2026/04/08 07:50"
    )
    # 05:40 UTC on 1 Nov 2026 is 01:30 in New York, a wall time that occurs twice
    assert (
        sync.wall_clock(dt.datetime(2026, 11, 1, 5, 40), "America/New_York", ten)
        == "2026/11/01 00:30"
    )
    # an unknown zone: 14 hours earlier still, so no zone can make the query skip anything
    assert sync.wall_clock(dt.datetime(2026, 4, 8, 15), None, ten) == "2026/04/08 00:50"


def test_story_points_field_by_its_name(store: Store) -> None:
    """The points field named as people know it, found in the site's field list (GET /field),
    gives the same commitment as its id (test_sync)."""
    replay = Replay("jira/sync.json")
    _sync(store, replay, boards=[12], story_points_field="Story point estimate")
    assert store.fetch("SELECT id, scope_committed, scope_delivered FROM commitment") == [
        ("12/37", 8.0, 5.0)
    ]


def test_an_unknown_story_points_field_name_is_refused(store: Store) -> None:
    with pytest.raises(sync.SyncError, match="'Story Punkte' is not a field of this site"):
        _sync(store, Replay("jira/sync.json"), boards=[12], story_points_field="Story Punkte")
