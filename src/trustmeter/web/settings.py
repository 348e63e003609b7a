"""The web app's settings, declared once, and the workspace secret that signs its cookies.

The secret lives in `.trustmeter-secret` beside `trustmeter.toml`, made on first serve with mode
0600 (or comes from TRUSTMETER_SECRET). Sessions, CSRF tokens and survey form tokens are all
signed with it, so replacing the file signs everyone out and nothing else.
"""

from __future__ import annotations

import ipaddress
import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from trustmeter.errors import ConfigError

SECRET_FILE = ".trustmeter-secret"
MIN_SECRET = 32
# Values that show a secret was copied from an example rather than generated.
_PLACEHOLDERS = {"changeme", "change-me", "secret", "changethis", "dev", "test"}


@dataclass(frozen=True)
class WebSettings:
    secret: str
    # Session cookies carry the Secure flag: browsers send them over HTTPS, and over plain
    # HTTP only to localhost. Serving a team over plain HTTP needs --insecure-cookies.
    cookie_secure: bool = True
    session_hours: float = 8.0
    # Failed sign-ins: at most this many per user name and address within the window.
    login_failures: int = 5
    login_window_s: float = 15 * 60
    upload_max_bytes: int = 200 * 1024 * 1024
    # Any other request body (sign-in, survey answers, forms): refused once it grows past this,
    # while it is read, before anything is parsed or written to disk.
    request_max_bytes: int = 1024 * 1024
    # Addresses (or networks) of reverse proxies whose X-Forwarded-For and X-Forwarded-Proto
    # are believed. Empty: nobody's, and the client address is the connection's.
    trusted_proxies: tuple[str, ...] = ()
    # The key of `POST /_serve/accounts`, which `trustmeter user` uses while `serve` runs on
    # DuckDB (web.control); empty: the route answers 404.
    control_key: str = ""
    # Where the CLI reaches this server; when set, the app writes `.trustmeter-serve` at
    # start-up and removes it at shutdown (DuckDB only: `serve` sets it).
    control_url: str = ""
    # An embedded (DuckDB) file: how long a request waits for it while a CLI command holds it
    # (then 503, "busy"), and after how long without requests the app lets go of it
    # (web/pool.py), so that `score`, `report` and `import` can open it meanwhile.
    database_wait_s: float = 60.0
    database_idle_s: float = 1.0
    # Run the syncs and the digest of the workspace's [web.schedule] (web/scheduler.py): `serve`
    # turns it on.
    run_schedule: bool = False
    # Compute the default scorecard and trend in the background when the server starts.
    warm_cache: bool = False
    trend_periods: int = 8
    drilldown_rows: int = 100
    extra: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        check_secret(self.secret, "the web secret")
        for proxy in self.trusted_proxies:
            check_proxy(proxy, "trusted_proxies")

    def upload_body_bytes(self) -> int:
        """The largest upload request: the export, a mapping file (1 MB) and the form fields."""
        return self.upload_max_bytes + 2 * 1024 * 1024


def check_proxy(value: str, where: str) -> str:
    """An IP address or network (10.0.0.0/8): host names are not accepted, since a proxy is
    recognised by the address its connection comes from."""
    try:
        ipaddress.ip_network(value, strict=False)
    except ValueError:
        raise ConfigError(
            f"{where}: {value!r} is not an IP address or network: expected e.g. "
            '"127.0.0.1" or "10.0.0.0/8"'
        ) from None
    return value


def proxies_from(web: dict[str, Any], where: str) -> tuple[str, ...]:
    """The `[web] trusted_proxies` list of the workspace file, checked."""
    raw = web.get("trusted_proxies", [])
    if not isinstance(raw, list) or not all(isinstance(v, str) for v in raw):
        raise ConfigError(f"{where}: trusted_proxies must be a list of IP addresses or networks")
    return tuple(check_proxy(v, f"{where}: trusted_proxies") for v in raw)


def check_secret(value: str, where: str) -> str:
    if value.strip().lower() in _PLACEHOLDERS or len(value.strip()) < MIN_SECRET:
        raise ConfigError(
            f"{where} is too short or a placeholder: use at least {MIN_SECRET} random "
            f"characters (delete {SECRET_FILE} and a new one is made)"
        )
    return value.strip()


def workspace_secret(root: Path) -> str:
    """TRUSTMETER_SECRET, else the workspace's secret file, made (mode 0600) when missing."""
    env = os.environ.get("TRUSTMETER_SECRET")
    if env:
        return check_secret(env, "TRUSTMETER_SECRET")
    path = root / SECRET_FILE
    try:
        return check_secret(path.read_text("utf-8"), str(path))
    except FileNotFoundError:
        pass
    value = secrets.token_urlsafe(48)
    # O_EXCL: two servers starting at once must not each write a different secret.
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return check_secret(path.read_text("utf-8"), str(path))
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(value + "\n")
    return value
