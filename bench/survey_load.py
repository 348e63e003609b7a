"""Load test: survey submissions from concurrent clients against a real `trustmeter serve`.

    python -m bench.survey_load                       # 500 submissions, 50 clients, DuckDB
    python -m bench.survey_load --db postgresql://postgres@127.0.0.1:54329/postgres

It builds a workspace with one stakeholder per submission, creates a campaign and its links
through the library, starts `trustmeter serve` as its own process on a free loopback port,
and sends every submission (open the link, then send the form) from `--clients` concurrent
clients. Then it sends every link once more from the same number of clients: each reuse must
be refused. Finally it stops the server and checks the database: every submission stored
once, none lost, none duplicated, every invitation used once. Prints throughput and latency
percentiles; exits 1 when a check fails. Traffic goes to 127.0.0.1 only and every loop is
bounded by the number of links.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import re
import shutil
import statistics
import tempfile
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

try:
    import httpx2 as httpx
except ImportError:  # pragma: no cover - either client will do
    import httpx  # type: ignore[no-redef]

from bench._serve import free_port, percentile, scratch_database, start_server, stop_server
from trustmeter import workspace as ws_mod
from trustmeter.store import connect
from trustmeter.store.campaigns import CampaignRow
from trustmeter.store.writer import insert_records
from trustmeter.web import campaigns

CAMPAIGN = "load-test"
TOKEN = re.compile(r'name="form_token" value="([^"]+)"')


def build(root: Path, db: str | None, count: int) -> list[str]:
    """A workspace with `count` stakeholders, a campaign and one link each (paths only)."""
    ws = ws_mod.init(root, db=db, name="load-test")
    store = ws.open()
    try:
        units = [f"Unit {i:02d}" for i in range(10)]
        insert_records(
            store,
            "stakeholders",
            [
                {"id": f"S{n:05d}", "name": f"Person {n}", "business_unit": units[n % 10]}
                for n in range(count)
            ],
        )
        now = datetime.now(UTC).replace(tzinfo=None, microsecond=0)
        today = date.today()
        c = CampaignRow(
            id="load-" + uuid.uuid4().hex[:6],
            name=CAMPAIGN,
            kind="stakeholder",
            opens_at=datetime(today.year, today.month, today.day),
            closes_at=datetime(today.year, today.month, today.day) + timedelta(days=7),
            services="[]",
            created_by="bench",
            created_at=now,
            closed_early_at=None,
        )
        with store.transaction():
            campaigns.create(store, c, campaigns.invitees(store, "stakeholder"), now)
            links = campaigns.issue_links(store, c, "http://x", now)
    finally:
        store.close()
    return ["/s/" + row["link"].rsplit("/s/", 1)[1] for row in links]


async def submit(client: Any, path: str, n: int) -> tuple[int, float]:
    page = await client.get(path)
    m = TOKEN.search(page.text)
    token = m.group(1) if m else "none"  # a used link has no form: its POST is refused too
    form = {
        "form_token": token,
        "action": "submit",
        "reliability_1": str(1 + n % 7),
        "overall_satisfaction": str(1 + n % 10),
        "nps": str(n % 11),
        "comment": f"load test answer {n}",
    }
    started = time.perf_counter()
    r = await client.post(path, data=form)
    return r.status_code, time.perf_counter() - started


async def run(base: str, paths: list[str], clients: int) -> tuple[list[tuple[int, float]], float]:
    queue: asyncio.Queue[tuple[int, str]] = asyncio.Queue()
    for item in enumerate(paths):
        queue.put_nowait(item)
    results: list[tuple[int, float]] = []
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)

    async def worker(client: Any) -> None:
        while True:
            try:
                n, path = queue.get_nowait()
            except asyncio.QueueEmpty:
                return
            results.append(await submit(client, path, n))

    started = time.perf_counter()
    async with httpx.AsyncClient(base_url=base, timeout=120, limits=limits) as client:
        await asyncio.gather(*(worker(client) for _ in range(clients)))
    return results, time.perf_counter() - started


def verify(root: Path) -> dict[str, int]:
    ws = ws_mod.load(root)
    store = connect(ws.database, base=ws.root)
    try:
        q = "SELECT count(*), count(DISTINCT id) FROM survey_response WHERE campaign = ?"
        total, distinct = store.fetch(q, (CAMPAIGN,))[0]
        answers = store.scalar(
            "SELECT count(*) FROM survey_answer a JOIN survey_response r "
            "ON r.source = a.source AND r.source_id = a.response_id WHERE r.campaign = ?",
            (CAMPAIGN,),
        )
        used = store.scalar("SELECT count(used_at) FROM survey_invitation")
    finally:
        store.close()
    return {"stored": int(total), "distinct": int(distinct), "answers": int(answers),
            "used": int(used)}  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--submissions", type=int, default=500)
    ap.add_argument("--clients", type=int, default=50)
    ap.add_argument("--db", help="Database URL (default: DuckDB in a temporary workspace).")
    ap.add_argument("--keep", action="store_true", help="Keep the temporary workspace.")
    args = ap.parse_args(argv)

    root = Path(tempfile.mkdtemp(prefix="trustmeter-load-")) / "ws"
    with contextlib.ExitStack() as stack:
        if args.db and args.db.startswith("postgres"):
            # A database of its own, so that the counts below are this run's alone.
            args.db = stack.enter_context(scratch_database(args.db, "tm_load"))
        paths = build(root, args.db, args.submissions)
        port = free_port()
        server = start_server(root, port)
        base = f"http://127.0.0.1:{port}"
        try:
            first, elapsed = asyncio.run(run(base, paths, args.clients))
            again, _ = asyncio.run(run(base, paths, args.clients))
        finally:
            stop_server(server)
        counts = verify(root)
    ok = [t for code, t in first if code == 200]
    refused = sum(1 for code, _ in again if code == 410)
    engine = "PostgreSQL" if args.db else "DuckDB"
    print(f"survey load test: {args.submissions} submissions from {args.clients} concurrent "
          f"clients to trustmeter serve on 127.0.0.1 ({engine})")  # fmt: skip
    print(f"  accepted      {len(ok)} of {len(first)} (statuses: "
          f"{sorted({c for c, _ in first})})")  # fmt: skip
    print(f"  throughput    {len(first) / elapsed:.1f} submissions/s ({elapsed:.1f} s in all, "
          "each one page view and one form post)")  # fmt: skip
    if ok:
        print(f"  latency       p50 {statistics.median(ok) * 1000:.0f} ms, "
              f"p95 {percentile(ok, 95) * 1000:.0f} ms, max {max(ok) * 1000:.0f} ms "
              "(form post)")  # fmt: skip
    print(f"  reuse         {refused} of {len(again)} second submissions refused (410)")
    print(f"  stored        {counts['stored']} responses, {counts['distinct']} distinct, "
          f"{counts['answers']} answers, {counts['used']} invitations used")  # fmt: skip
    checks = {
        "every submission accepted": len(ok) == args.submissions,
        "all stored, none lost": counts["stored"] == args.submissions,
        "none duplicated": counts["distinct"] == counts["stored"],
        "four answers each": counts["answers"] == 4 * args.submissions,
        "every invitation used once": counts["used"] == args.submissions,
        "every reuse refused": refused == len(paths),
    }
    for name, passed in checks.items():
        print(f"  {'ok  ' if passed else 'FAIL'}  {name}")
    if args.keep:
        print(f"  workspace kept in {root}")
    else:
        shutil.rmtree(root.parent, ignore_errors=True)
    return 0 if all(checks.values()) else 1


if __name__ == "__main__":
    raise SystemExit(main())
