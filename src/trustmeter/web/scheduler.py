"""Hands-off refresh: `serve` runs the declared syncs and sends the digest on a schedule.

    [web.schedule]
    sync_every = "6h"             # every [sources.NAME]; s, m, h or d
    sync = ["pagerduty", "jira"]  # optional: only these sources (default: all declared)
    digest_every = "7d"           # the one-pager by email, through [web.smtp]
    digest_to = ["cio@example.com", "cfo@example.com"]

A job is due when its last run (the sync log, or the digest log: both in the database, so a
restarted server neither repeats one at once nor forgets one) started at least its interval
ago; a digest that failed (the mail server refused or was down) is tried again after an hour. The scheduler looks every `tick_s` and runs each due job in its own thread. A source is
never synced twice at once: a sync still running in this server makes the next tick pass it
by, and so does one another process logged as running within the last `STALE` hours (a run
that stopped without finishing, its process killed, counts as stale after that). Each page a
sync writes is one transaction under the app's write lock, like every other write of the app.

The clock and the HTTP transport are injectable: the tests run it with a fake clock on the
recorded vendor exchanges the sync tests replay.
"""

from __future__ import annotations

import contextlib
import logging
import re
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from trustmeter.connectors import sync as sync_mod
from trustmeter.errors import ConfigError
from trustmeter.store import Store
from trustmeter.store.digestlog import finish_digest, last_digest, start_digest
from trustmeter.web.deps import WebState
from trustmeter.web.mail import send_digest, smtp_settings, web_table
from trustmeter.web.onepager import summary_page
from trustmeter.workspace import Workspace

log = logging.getLogger("trustmeter.web")
STALE = timedelta(hours=6)
RETRY = timedelta(hours=1)  # a digest that failed is tried again after this
_INTERVAL = re.compile(r"^\s*(\d+)\s*([smhd])\s*$")
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days"}
_KEYS = {"sync_every", "sync", "digest_every", "digest_to"}


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


@dataclass(frozen=True)
class Schedule:
    sync_every: timedelta | None = None
    sources: tuple[str, ...] = ()
    digest_every: timedelta | None = None
    digest_to: tuple[str, ...] = ()

    @property
    def anything(self) -> bool:
        return bool(self.sync_every and self.sources) or self.digest_every is not None


def interval(text: object, where: str) -> timedelta:
    m = _INTERVAL.match(text) if isinstance(text, str) else None
    if not m or int(m.group(1)) == 0:
        raise ConfigError(
            f'{where} = {text!r}: expected an interval such as "30m", "6h" or "7d" '
            "(a whole number and s, m, h or d)"
        )
    return timedelta(**{_UNITS[m.group(2)]: int(m.group(1))})


def schedule_of(ws: Workspace) -> Schedule:
    """The workspace's [web.schedule] table, checked against its declared sources."""
    raw = web_table(ws).get("schedule", {})
    where = f"{ws.config_path} [web.schedule]"
    if not isinstance(raw, dict):
        raise ConfigError(f"{where} must be a table")
    unknown = sorted(set(raw) - _KEYS)
    if unknown:
        raise ConfigError(f"{where}: unknown key {unknown[0]!r}; known: {', '.join(sorted(_KEYS))}")
    sync_every = interval(raw["sync_every"], f"{where} sync_every") if "sync_every" in raw else None
    names = raw.get("sync", list(ws.sources))
    if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
        raise ConfigError(f"{where} sync = {names!r}: expected a list of source names")
    for name in names:
        if name not in ws.sources:
            known = ", ".join(ws.sources) or "none"
            raise ConfigError(
                f"{where} sync: no source {name!r} is declared as [sources.{name}] "
                f"(declared: {known})"
            )
    digest_every = None
    to: list[Any] = []
    if "digest_every" in raw:
        digest_every = interval(raw["digest_every"], f"{where} digest_every")
        to = raw.get("digest_to", [])
        if (
            not to
            or not isinstance(to, list)
            or not all(isinstance(a, str) and "@" in a for a in to)
        ):
            raise ConfigError(
                f"{where} digest_to = {to!r}: expected a list of email addresses to send the "
                "digest to"
            )
        if smtp_settings(ws) is None:
            raise ConfigError(f"{where}: digest_every needs the mail settings of [web.smtp]")
    return Schedule(sync_every, tuple(names), digest_every, tuple(to))


@dataclass
class _Serialised(Store):
    """A pooled connection whose transactions take the app's write lock (web/pool.py)."""

    lock: Any = None

    @contextlib.contextmanager
    def transaction(self) -> Iterator[None]:
        with self.lock, super().transaction():
            yield


@dataclass
class Scheduler:
    state: WebState
    schedule: Schedule
    clock: Callable[[], datetime] = utcnow
    transport: httpx.BaseTransport | None = None  # tests: recorded vendor exchanges
    sleep: Callable[[float], None] | None = None  # tests: no real wait on a Retry-After
    tick_s: float = 30.0
    _running: dict[str, threading.Lock] = field(default_factory=dict)
    _threads: list[threading.Thread] = field(default_factory=list)
    _stop: threading.Event = field(default_factory=threading.Event)
    skipped: list[str] = field(default_factory=list)  # jobs passed by as already running

    # -- when ------------------------------------------------------------------------------
    def _lock(self, job: str) -> threading.Lock:
        return self._running.setdefault(job, threading.Lock())

    def due(self) -> list[str]:
        """The jobs to start now: "sync:NAME" per source, "digest"."""
        now = self.clock()
        jobs = []
        with self.state.db.connection() as store:
            if self.schedule.sync_every:
                for name in self.schedule.sources:
                    last = sync_mod.status(store, name)
                    if last is None:
                        jobs.append(f"sync:{name}")
                    elif last["status"] == "running" and now - last["started_at"] < STALE:
                        continue  # another process syncs it now (here: `_running` says so)
                    elif now - last["started_at"] >= self.schedule.sync_every:
                        jobs.append(f"sync:{name}")
            if self.schedule.digest_every:
                last = last_digest(store)
                every = self.schedule.digest_every
                if last is not None and last["status"] == "failed":
                    every = min(every, RETRY)  # the mail server was down: try again soon
                if last is None or now - last["started_at"] >= every:
                    jobs.append("digest")
        return jobs

    def tick(self) -> list[threading.Thread]:
        """Start every due job that is not running yet, each in its own thread."""
        started = []
        for job in self.due():
            lock = self._lock(job)
            if not lock.acquire(blocking=False):
                self.skipped.append(job)
                log.info("scheduled %s: still running, passed by", job)
                continue
            thread = threading.Thread(target=self._run, args=(job, lock), name=job, daemon=True)
            thread.start()
            started.append(thread)
        self._threads = [t for t in self._threads if t.is_alive()] + started
        return started

    def join(self, timeout: float = 60) -> None:
        for t in list(self._threads):
            t.join(timeout)

    def start(self) -> None:
        threading.Thread(target=self._loop, name="scheduler", daemon=True).start()

    def stop(self) -> None:
        self._stop.set()

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                self.tick()
            except Exception:  # a failed look at the logs must not end the schedule
                log.exception("the scheduler could not read its logs")
            self._stop.wait(self.tick_s)

    # -- what ------------------------------------------------------------------------------
    def _run(self, job: str, lock: threading.Lock) -> None:
        try:
            if job == "digest":
                self.send_digest()
            else:
                self.sync(job.removeprefix("sync:"))
        except Exception:  # logged in the sync or digest log too; the next tick goes on
            log.exception("scheduled %s failed", job)
        finally:
            lock.release()

    def sync(self, name: str) -> sync_mod.SyncResult:
        ws = self.state.workspace
        src = sync_mod.SourceConfig.from_table(name, ws.sources[name], str(ws.config_path))
        creds = sync_mod.credentials(src, ws.root)
        with self.state.db.connection() as store:
            locked = _Serialised(
                store.url, store.con, store.engine, store.sql_cache, self.state.db.write_lock
            )
            result = sync_mod.run(
                locked, src, creds, ws.timezone, transport=self.transport, sleep=self.sleep
            )
        log.info("scheduled sync of %s: %d records", name, result.records)
        return result

    def send_digest(self) -> int:
        """Build the one-pager of the default period and mail it; logged either way."""
        state = self.state
        period = state.scorecards.period(None)
        with state.db.writing() as store:
            log_id = start_digest(store, self.clock(), period.label)
        status, sent, message = "failed", 0, None
        try:
            smtp = smtp_settings(state.workspace)
            if smtp is None:
                raise ConfigError("no [web.smtp] settings to send the digest with")
            html, _ = summary_page(state, period)
            subject = f"{state.workspace.name}: IT trust, {period.label}"
            failed = send_digest(smtp, list(self.schedule.digest_to), subject, html)
            sent = len(self.schedule.digest_to) - len(failed)
            status = "ok" if not failed else "partial"
            message = f"not delivered to {', '.join(failed)}" if failed else None
        except Exception as exc:
            message = str(exc) or type(exc).__name__
            raise
        finally:
            with state.db.writing() as store:
                finish_digest(store, log_id, self.clock(), status, sent, message)
        return sent

    # -- for the admin page ----------------------------------------------------------------
    def status(self) -> dict[str, Any]:
        every = self.schedule.sync_every
        with self.state.db.connection() as store:
            syncs = []
            for name in self.state.workspace.sources:
                last = sync_mod.status(store, name)
                scheduled = every is not None and name in self.schedule.sources
                syncs.append(
                    {
                        "source": name,
                        "every": interval_text(every) if scheduled and every else None,
                        "running": self._lock(f"sync:{name}").locked(),
                        "last": last,
                        "next": (
                            last["started_at"] + every if last and scheduled and every else None
                        ),
                    }
                )
            digest = last_digest(store)
        return {
            "syncs": syncs,
            "digest": {
                "every": interval_text(self.schedule.digest_every)
                if self.schedule.digest_every
                else None,
                "to": list(self.schedule.digest_to),
                "last": digest,
            },
        }


def interval_text(t: timedelta) -> str:
    seconds = int(t.total_seconds())
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds % size == 0:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"
