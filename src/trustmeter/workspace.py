"""A workspace: a folder with `trustmeter.toml` and, by default, an embedded DuckDB database."""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import tomli_w

from trustmeter import framework as fw
from trustmeter.errors import ConfigError, TrustmeterError
from trustmeter.store import Store, connect, migrate
from trustmeter.store.dbwait import cli_wait_s

CONFIG = "trustmeter.toml"
DEFAULT_DB = "duckdb:///trustmeter.duckdb"
PROFILES = ("small", "mid", "large")
_WORKSPACE_KEYS = {"name", "profile", "timezone", "database", "framework"}


# Compiled SQL kept between commands (store/sqlcache.py): safe to delete at any time.
SQL_CACHE = Path(".cache") / "sql"


class NoWorkspace(TrustmeterError):
    pass


@dataclass
class Workspace:
    root: Path
    name: str
    profile: str
    timezone: str
    database: str
    framework_file: str | None
    overrides: dict[str, Any]
    # [sources.NAME] tables: the APIs `trustmeter sync` reads (trustmeter.connectors.sync).
    sources: dict[str, Any] = field(default_factory=dict)

    @property
    def config_path(self) -> Path:
        return self.root / CONFIG

    def open(self, migrate_schema: bool = True) -> Store:
        # A DuckDB file that `serve` (or another command) holds is waited for, not refused.
        store = connect(self.database, base=self.root, wait_s=cli_wait_s())
        if migrate_schema and not store.read_only:  # a warehouse's tables are its owner's
            migrate(store)
        store.cache_compiled_sql(self.root / SQL_CACHE)
        return store

    def framework(self) -> fw.Framework:
        layers: list[tuple[str, dict[str, Any]]] = []
        if self.framework_file:
            path = (self.root / self.framework_file).resolve()
            layers.append((str(path), fw.load_file(path)))
        if self.overrides:
            layers.append((f"{self.config_path} [framework]", self.overrides))
        framework = fw.load(layers)
        if self.profile not in framework.profiles:
            raise ConfigError(
                f"{self.config_path}: workspace.profile {self.profile!r} is not one of "
                f"{', '.join(framework.profiles)}"
            )
        return framework

    def as_dict(self) -> dict[str, Any]:
        return {"name": self.name, "profile": self.profile, "timezone": self.timezone}


def check_timezone(name: str) -> str:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ConfigError(
            f"unknown time zone {name!r}: expected an IANA name such as 'UTC' or 'Europe/Berlin'"
        ) from exc
    return name


def init(
    root: Path,
    profile: str = "mid",
    db: str | None = None,
    timezone: str = "UTC",
    name: str | None = None,
) -> Workspace:
    """Create a workspace folder and its database; refuses to overwrite an existing one."""
    if profile not in PROFILES:
        raise ConfigError(f"unknown profile {profile!r}: expected one of {', '.join(PROFILES)}")
    check_timezone(timezone)
    root.mkdir(parents=True, exist_ok=True)
    cfg = root / CONFIG
    if cfg.exists():
        raise ConfigError(f"{cfg} already exists: this folder is a workspace already")
    ws = Workspace(
        root.resolve(), name or root.resolve().name, profile, timezone, db or DEFAULT_DB, None, {}
    )
    store = ws.open()  # fail before writing the config when the database is unreachable
    store.close()
    body = {
        "workspace": {
            "name": ws.name,
            "profile": profile,
            "timezone": timezone,
            "database": ws.database,
        }
    }
    text = (
        "# trustmeter workspace. `trustmeter framework show` prints the framework in force;\n"
        "# override any part of it in a [framework] table here, e.g.\n"
        "# [framework.metrics.mttr]\n# target = 2\n\n" + tomli_w.dumps(body)
    )
    cfg.write_text(text, "utf-8")
    return ws


def load(root: Path) -> Workspace:
    cfg = root / CONFIG
    try:
        data = tomllib.loads(cfg.read_text("utf-8"))
    except FileNotFoundError as exc:
        raise NoWorkspace(f"{root} is not a trustmeter workspace (no {CONFIG})") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{cfg}: not valid TOML: {exc}") from exc
    w = data.get("workspace", {})
    unknown = sorted(set(w) - _WORKSPACE_KEYS)
    if unknown:
        raise ConfigError(f"{cfg}: workspace.{unknown[0]}: unknown key")
    extra = sorted(set(data) - {"workspace", "framework", "sources", "web"})
    if extra:
        raise ConfigError(f"{cfg}: unknown table [{extra[0]}]")
    try:
        tz = check_timezone(w.get("timezone", "UTC"))
    except ConfigError as exc:
        raise ConfigError(f"{cfg}: workspace.timezone: {exc}") from exc
    database = os.environ.get("TRUSTMETER_DB") or w.get("database", DEFAULT_DB)
    return Workspace(
        root.resolve(),
        w.get("name", root.resolve().name),
        w.get("profile", "mid"),
        tz,
        database,
        w.get("framework"),
        data.get("framework", {}),
        data.get("sources", {}),
    )


def find(explicit: str | None = None) -> Workspace:
    """`--workspace DIR`, else TRUSTMETER_WORKSPACE, else the nearest folder up with trustmeter.toml."""
    chosen = explicit or os.environ.get("TRUSTMETER_WORKSPACE")
    if chosen:
        return load(Path(chosen))
    here = Path.cwd().resolve()
    for folder in (here, *here.parents):
        if (folder / CONFIG).is_file():
            return load(folder)
    raise NoWorkspace(
        "no trustmeter workspace here: run `trustmeter init DIR`, or pass --workspace DIR "
        "(or set TRUSTMETER_WORKSPACE)"
    )
