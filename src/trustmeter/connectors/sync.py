"""`trustmeter sync SOURCE`: pull records from a vendor's API, page by page, incrementally.

Each vendor module turns its API's records into the same rows its file export gives and
names the preset that reads them, so a record is converted by the importer's own code
whichever way it arrived. Every page is written together with the cursor that follows it, in
one transaction: an interrupted sync resumes after the last page it wrote, and nothing is lost
or written twice (records are upserted by id in any case).

Credentials come from the environment or the workspace's secrets file. They are sent in
request headers only, and every message that leaves this module passes through `redact`.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import importlib
import os
import re
import time
import tomllib
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import httpx
import pyarrow as pa

from trustmeter import records
from trustmeter.connectors._readers import Row, batch_of
from trustmeter.errors import ConfigError, TrustmeterError
from trustmeter.ingest import ImportResult
from trustmeter.ingest import Mapping as ImportMapping
from trustmeter.ingest.readers import Context, convert_batch, kept_rows, resolve
from trustmeter.store import Store
from trustmeter.store.synclog import finish_run, last_run, load_cursors, save_cursor, start_run
from trustmeter.store.writer import write

SECRETS_FILE = "trustmeter.secrets.toml"
TYPES = ("pagerduty", "jira", "servicenow", "github", "gitlab")
RETRY_STATUS = (429, 502, 503, 504)
Cursors = dict[str, dict[str, Any]]


class SyncError(TrustmeterError):
    """A sync could not finish; the pages before the failure are kept, with their cursor."""


def iso(t: dt.datetime) -> str:
    """A UTC time as the APIs take it: 2024-01-05T10:00:00Z."""
    if t.tzinfo is not None:
        t = t.astimezone(dt.UTC).replace(tzinfo=None)
    return t.replace(microsecond=0).isoformat() + "Z"


def wall_clock(t: dt.datetime, zone: str | None, overlap: dt.timedelta) -> str:
    """`t` (naive UTC) minus `overlap` as a query language without zones reads it: the wall
    clock in `zone`, to the minute ("2026/04/08 07:50"), as JQL takes dates.

    Jira reads a JQL date in the API user's own time zone, not UTC, so a UTC cursor written
    as is skips (or repeats) hours. Floored to the minute; a wall time that occurs twice (the
    hour clocks go back) is moved an hour earlier; an unknown zone (None) widens the overlap
    by 14 hours, the largest offset any zone has, so nothing is skipped."""
    start = t - overlap
    if zone is None:
        return (start - dt.timedelta(hours=14)).strftime("%Y/%m/%d %H:%M")
    tz = ZoneInfo(zone)
    local = start.replace(tzinfo=dt.UTC).astimezone(tz).replace(tzinfo=None)
    if local.replace(tzinfo=tz, fold=0).utcoffset() != local.replace(tzinfo=tz, fold=1).utcoffset():
        local -= dt.timedelta(hours=1)
    return local.strftime("%Y/%m/%d %H:%M")


def known_zone(name: object) -> str | None:
    """An IANA zone name an API reported, or None where it is missing or unknown here."""
    if not isinstance(name, str) or not name:
        return None
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None
    return name


def parse_time(text: str) -> dt.datetime:
    """An API timestamp (Z, +01:00, +0100, fractions) as naive UTC."""
    s = text.strip().replace(" ", "T", 1)
    s = re.sub(r"([+-]\d\d)(\d\d)$", r"\1:\2", s.replace("Z", "+00:00"))
    t = dt.datetime.fromisoformat(s)
    return t.astimezone(dt.UTC).replace(tzinfo=None) if t.tzinfo else t


# -- configuration and credentials --------------------------------------------------------------
@dataclass(frozen=True)
class SourceConfig:
    """One `[sources.NAME]` table of trustmeter.toml."""

    name: str
    type: str
    base_url: str
    options: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_table(cls, name: str, table: Mapping[str, Any], where: str) -> SourceConfig:
        t = dict(table)
        kind = t.pop("type", None)
        if kind not in TYPES:
            raise ConfigError(f"{where}: [sources.{name}] type must be one of {', '.join(TYPES)}")
        base = t.pop("base_url", None) or vendor(kind).DEFAULT_BASE_URL
        if not base:
            raise ConfigError(f"{where}: [sources.{name}] needs base_url (your {kind} address)")
        for secret in ("token", "password", "api_key"):
            if secret in t:
                raise ConfigError(
                    f"{where}: [sources.{name}] holds a {secret}: keep credentials out of "
                    f"trustmeter.toml, in the environment ({env_name(name, 'token')}) or in "
                    f"{SECRETS_FILE}"
                )
        opts = t.pop("options", {})
        return cls(name, kind, str(base).rstrip("/"), {**t, **opts})

    def since(self) -> str:
        """Where a first sync starts: options.since, else a year ago."""
        s = self.options.get("since")
        if s:
            return iso(parse_time(str(s)))
        return iso(dt.datetime.now(dt.UTC) - dt.timedelta(days=365))


def env_name(source: str, what: str) -> str:
    return "TRUSTMETER_" + re.sub(r"[^A-Z0-9]", "_", source.upper()) + "_" + what.upper()


@dataclass(frozen=True)
class Credentials:
    token: str | None = field(default=None, repr=False)
    user: str | None = None
    password: str | None = field(default=None, repr=False)
    source: str = ""

    def require(self, what: str) -> str:
        value = getattr(self, what)
        if not value:
            raise ConfigError(
                f"no {what} for source {self.source!r}: set {env_name(self.source, what)} in the "
                f'environment, or put {what} = "..." under [sources.{self.source}] in '
                f"{SECRETS_FILE} beside trustmeter.toml"
            )
        return str(value)

    def secrets(self) -> list[str]:
        return [s for s in (self.token, self.password) if s]


def credentials(source: SourceConfig, root: Path | None = None) -> Credentials:
    """From the environment (TRUSTMETER_<SOURCE>_TOKEN/_USER/_PASSWORD, or the variable that
    options.token_env names), else from the workspace's secrets file."""
    found: dict[str, str] = {}
    path = root / SECRETS_FILE if root is not None else None
    if path is not None and path.is_file():
        try:
            data = tomllib.loads(path.read_text("utf-8"))
        except tomllib.TOMLDecodeError as exc:
            # The parser's message can quote the line, and the line may hold a secret.
            raise ConfigError(
                f"{path} is not valid TOML (line {getattr(exc, 'lineno', '?')})"
            ) from None
        table = data.get("sources", {}).get(source.name, {})
        found.update({k: str(v) for k, v in table.items() if k in ("token", "user", "password")})
    for what in ("token", "user", "password"):
        var = source.options.get(f"{what}_env") or env_name(source.name, what)
        if os.environ.get(var):
            found[what] = os.environ[var]
    return Credentials(found.get("token"), found.get("user"), found.get("password"), source.name)


def redact(text: str, secrets: list[str]) -> str:
    for s in secrets:
        if s:
            text = text.replace(s, "***")
    return re.sub(
        r"(?i)(token|password|secret|authorization)([=:]\s*)[^\s&,;\"']+", r"\1\2***", text
    )


# -- HTTP with paging help, retries and backoff ----------------------------------------------------
class Http:
    """An httpx client for one source: base URL, auth, Retry-After and exponential backoff on
    429/502/503/504 and dropped connections. `transport`, `sleep` and `clock` are injectable
    so tests replay recorded responses without a network or a real wait."""

    def __init__(
        self,
        source: SourceConfig,
        headers: Mapping[str, str] | None = None,
        auth: tuple[str, str] | None = None,
        secrets: list[str] | None = None,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] | None = None,
        clock: Callable[[], dt.datetime] | None = None,
        max_retries: int = 6,
        log: Callable[[str], None] | None = None,
    ) -> None:
        self.source = source
        self.secrets = secrets or []
        self.sleep = sleep or time.sleep
        self.clock = clock
        self.max_retries = max_retries
        self.log = log
        self.requests = 0
        self.client = httpx.Client(
            base_url=source.base_url,
            headers={"User-Agent": "trustmeter", **(headers or {})},
            auth=auth,
            transport=transport,
            timeout=httpx.Timeout(60.0),
            follow_redirects=True,
        )

    def now(self) -> dt.datetime:
        return self.clock() if self.clock else dt.datetime.now(dt.UTC).replace(tzinfo=None)

    def close(self) -> None:
        self.client.close()

    def get(self, url: str, params: Mapping[str, Any] | None = None) -> httpx.Response:
        return self.request("GET", url, params=params)

    def get_json(self, url: str, params: Mapping[str, Any] | None = None) -> Any:
        return self._json(self.get(url, params))

    def post_json(self, url: str, body: Any) -> Any:
        return self._json(self.request("POST", url, json=body))

    def _json(self, resp: httpx.Response) -> Any:
        try:
            return resp.json()
        except ValueError:
            raise SyncError(
                f"{self.source.name}: {resp.request.method} {_path(resp.request.url)} did not "
                "answer JSON: is base_url right?"
            ) from None

    def request(self, method: str, url: str, **kw: Any) -> httpx.Response:
        attempt = 0
        while True:
            self.requests += 1
            try:
                resp = self.client.request(method, url, **kw)
            except httpx.TransportError as exc:
                if attempt >= self.max_retries:
                    raise SyncError(
                        redact(
                            f"{self.source.name}: cannot reach {self.source.base_url}: {exc}",
                            self.secrets,
                        )
                    ) from None
                self._wait(_backoff(attempt), f"connection failed ({type(exc).__name__})")
                attempt += 1
                continue
            if resp.status_code in RETRY_STATUS and attempt < self.max_retries:
                wait = retry_after(resp.headers.get("Retry-After"), self.now())
                self._wait(
                    wait if wait is not None else _backoff(attempt), f"HTTP {resp.status_code}"
                )
                attempt += 1
                continue
            if resp.status_code >= 400:
                raise SyncError(self._problem(resp))
            return resp

    def _wait(self, seconds: float, why: str) -> None:
        if self.log:
            self.log(f"{self.source.name}: {why}; retrying in {seconds:.0f} s")
        self.sleep(seconds)

    def _problem(self, resp: httpx.Response) -> str:
        what = {
            401: "the credentials were refused (401): check the token",
            403: "access is forbidden (403): the token lacks a permission",
            404: "not found (404): check base_url and the source's options",
        }.get(resp.status_code, f"answered HTTP {resp.status_code}")
        detail = resp.text[:300].strip()
        msg = f"{self.source.name}: {resp.request.method} {_path(resp.request.url)}: {what}"
        if detail:
            msg += f"; the server said: {detail}"
        return redact(msg, self.secrets)


def _path(url: httpx.URL) -> str:
    return url.path  # never the query: some APIs take keys there


def _backoff(attempt: int) -> float:
    return float(min(60, 2**attempt))


def retry_after(value: str | None, now: dt.datetime) -> float | None:
    """Retry-After as seconds (`120`) or an HTTP date, capped at 15 minutes."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return min(900.0, float(value))
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is not None:
        when = when.astimezone(dt.UTC).replace(tzinfo=None)
    return max(0.0, min(900.0, (when - now).total_seconds()))


# -- the sync run ------------------------------------------------------------------------------------
@dataclass
class Page:
    """One page of an API's records, as rows of the named preset, and the cursor after it."""

    kind: str
    preset: str
    rows: list[Row]
    cursor: dict[str, Any]
    stream: str = ""

    def __post_init__(self) -> None:
        self.stream = self.stream or self.kind


class Vendor(Protocol):
    DEFAULT_BASE_URL: str

    def sync(self, http: Http, source: SourceConfig, cursors: Cursors) -> Iterator[Page]: ...


def vendor(kind: str) -> Any:
    return importlib.import_module(f"trustmeter.connectors.{kind}")


@dataclass
class SyncResult:
    source: str
    pages: int = 0
    records: int = 0
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0
    requests: int = 0
    by_kind: dict[str, int] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def convert_rows(
    kind: str, mapping: ImportMapping, rows: list[Row], where: str, timezone: str
) -> tuple[pa.Table, int]:
    """Rows of a preset's vocabulary → canonical records, by the importer's own code."""
    rk = records.kind(kind)
    batch = batch_of(list(range(1, len(rows) + 1)), rows)
    counted = ImportResult(rk.kind, "", [])
    if mapping.keep:
        batch = kept_rows(batch, mapping, where, counted)
    if not len(batch):
        return pa.table({}), counted.skipped
    plan = resolve(rk, mapping, list(batch.columns), where, line=None, delimiter=None, strict=True)
    ctx = Context(mapping.timezone or timezone, mapping.date_format)
    return convert_batch(rk, plan, batch, mapping, ctx, where).table, counted.skipped


def with_source_values(mapping: ImportMapping, source: SourceConfig, kind: str) -> ImportMapping:
    """The source's own words over the preset's value maps: `[sources.NAME.values.FIELD]` in
    trustmeter.toml (a site's localised Jira issue types, say), as --value does for a file.
    Fields the page's kind lacks are left to the source's other kinds."""
    table = source.options.get("values") or {}
    where = f"[sources.{source.name}.values]"
    if not isinstance(table, dict):
        raise ConfigError(
            f'{where} must be a table of tables, e.g. values.kind = {{ "故事" = "story" }}'
        )
    fields = records.kind(kind).field_names
    values: dict[str, dict[str, str]] = {}
    for name, words in table.items():
        if not isinstance(words, dict):
            raise ConfigError(
                f'{where}: {name} must be a table such as {{ "their word" = "canonical value" }}'
            )
        if name in fields:
            values[name] = {str(k): str(v) for k, v in words.items()}
    return mapping.merged(values=values) if values else mapping


def run(
    store: Store,
    source: SourceConfig,
    creds: Credentials,
    timezone: str = "UTC",
    transport: httpx.BaseTransport | None = None,
    sleep: Callable[[float], None] | None = None,
    clock: Callable[[], dt.datetime] | None = None,
    log: Callable[[str], None] | None = None,
    mappings: Mapping[str, ImportMapping] | None = None,
) -> SyncResult:
    """Sync one source. `mappings` (preset name → Mapping) overrides a preset's mapping."""
    from trustmeter.connectors.presets import get_preset

    mod = vendor(source.type)
    headers, auth = mod.auth(creds)
    http = Http(source, headers, auth, creds.secrets(), transport, sleep, clock, log=log)
    result = SyncResult(source.name)
    log_id = start_run(store, source.name)
    try:
        cursors = load_cursors(store, source.name)
        for page in mod.sync(http, source, cursors):
            result.pages += 1
            where = f"{source.name} API ({page.stream}, page {result.pages})"
            mapping = (mappings or {}).get(page.preset) or get_preset(
                page.preset, page.kind
            ).mapping(sorted({k for r in page.rows for k in r}))
            mapping = with_source_values(mapping, source, page.kind)
            table, skipped = convert_rows(page.kind, mapping, page.rows, where, timezone)
            result.skipped += skipped
            with store.transaction():
                if table.num_rows:
                    origins = [f"{source.name}:{page.stream}:{i}" for i in range(table.num_rows)]
                    w = write(store, page.kind, table, source.name, origins=origins)
                    result.inserted += w.inserted
                    result.updated += w.updated
                    result.unchanged += w.unchanged
                save_cursor(store, source.name, page.stream, page.cursor)
            cursors[page.stream] = page.cursor
            result.records += table.num_rows
            result.by_kind[page.kind] = result.by_kind.get(page.kind, 0) + table.num_rows
            if log:
                log(f"{source.name}: {page.stream} page {result.pages}: {table.num_rows} records")
    except TrustmeterError as exc:
        message = redact(str(exc), creds.secrets())
        _finish(store, log_id, "failed", result, message)
        raise SyncError(message) from None
    except BaseException:
        _finish(store, log_id, "interrupted", result, None)
        raise
    finally:
        result.requests = http.requests
        http.close()
    _finish(store, log_id, "ok", result, None)
    return result


def _finish(store: Store, log_id: int, status: str, r: SyncResult, message: str | None) -> None:
    finish_run(store, log_id, status, r.pages, r.records, message)


def status(store: Store, source: str) -> dict[str, Any] | None:
    """The last run of a source (for `trustmeter sources`)."""
    return last_run(store, source)
