"""What the report reads for all its teams at once is what each team's own reading gives:
the flow in four queries (`team_flows`) is each team's `flow`, figure for figure and aged item
for aged item; the daily completions and the span of completions in one query each."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from trustmeter.forecast import ForecastError, Subject, daily_completions
from trustmeter.forecast.flow import AGED_SHOWN, flow, team_flows
from trustmeter.forecast.history import team_daily_completions
from trustmeter.forecast.request import stored_span, team_spans
from trustmeter.store import Store
from trustmeter.store.writer import insert_records

END = datetime(2024, 4, 1)


def item(i: str, team: str, created: datetime, done: datetime | None, **kw: Any) -> dict[str, Any]:
    return {
        "id": i, "team": team, "title": f"<b>{i}</b>", "created_at": created, "done_at": done,
        **kw,
    }  # fmt: skip


def records() -> list[dict[str, Any]]:
    out = []
    # Desk: many done items (a p85 cycle time), and more old open items than are listed,
    # several of the same age (listed by id).
    for n in range(40):
        created = END - timedelta(days=10 + n)
        out.append(item(f"desk-done-{n:02}", "Desk", created, created + timedelta(days=n % 7)))
    for n in range(AGED_SHOWN + 5):
        out.append(item(f"desk-open-{n:02}", "Desk", END - timedelta(days=30 + n // 3), None))
    # Ops: open items only, nothing done in the window: no p85, nothing aged.
    out += [item(f"ops-{n}", "Ops", END - timedelta(days=50 + n), None) for n in range(4)]
    # Lab: started later than created, one done before it began (left out), one epic.
    out += [
        item("lab-1", "Lab", END - timedelta(days=40), END - timedelta(days=2),
             started_at=END - timedelta(days=9), project="P"),
        item("lab-2", "Lab", END - timedelta(days=20), END - timedelta(days=30)),
        item("lab-3", "Lab", END - timedelta(days=70), None, started_at=END - timedelta(days=60)),
        item("lab-4", "Lab", END - timedelta(days=5), END - timedelta(days=1), kind="epic"),
    ]  # fmt: skip
    return out


def test_every_teams_flow_is_its_own_flow(store: Store) -> None:
    insert_records(store, "work_item", records())
    first, last = date(2024, 1, 2), date(2024, 3, 31)
    teams = ["Desk", "Ops", "Lab", "Nobody"]
    many = team_flows(store, first, last, teams, "Europe/Berlin")
    assert list(many) == teams
    for team in teams:
        one = flow(store, first, last, Subject(team=team), "Europe/Berlin")
        assert many[team].as_dict() == one.as_dict(), team
    desk = many["Desk"].as_dict()["wip"]
    assert desk["older_than_p85_cycle_time"] > AGED_SHOWN == len(desk["aged"])
    assert many["Ops"].as_dict()["wip"]["open"] == 4 and many["Ops"].aged_count == 0
    assert many["Nobody"].wip == 0 and many["Nobody"].cycle_n == 0


def test_every_teams_days_and_span_are_its_own(store: Store) -> None:
    insert_records(store, "work_item", records())
    first, last = date(2024, 1, 2), date(2024, 3, 31)
    teams = ["Desk", "Ops", "Lab", "Nobody"]
    days = team_daily_completions(store, first, last, teams, "Europe/Berlin")
    spans = team_spans(store, teams)
    for team in teams:
        one = daily_completions(store, first, last, Subject(team=team), "Europe/Berlin")
        assert (days[team].start, days[team].counts.tolist()) == (one.start, one.counts.tolist())
        try:
            assert spans[team] == stored_span(store, Subject(team=team))
        except ForecastError as exc:  # Ops and Nobody: no completed item
            assert isinstance(spans[team], ForecastError) and str(spans[team]) == str(exc)
    assert days["Desk"].counts.sum() == 40
    assert [t for t in teams if isinstance(spans[t], ForecastError)] == ["Ops", "Nobody"]
