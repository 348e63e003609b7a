"""Helpers for the connector tests: sources, credentials, a fixed clock, recorded API exchanges.

Replay (below) replays fixtures/<vendor>/sync.json as an httpx transport.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

from trustmeter.connectors.sync import Credentials, SourceConfig

FIXTURES = Path(__file__).parent / "fixtures"
# Real vendor samples (../shared/data/vendor beside the repository), read in place.
VENDOR = Path(__file__).resolve().parents[3] / "shared" / "data" / "vendor"
NOW = dt.datetime(2026, 7, 1, 12, 0)
SECRET = "s3cr3t-TOKEN-9f8e7d"


def source(kind: str, **options: object) -> SourceConfig:
    base = {
        "pagerduty": "https://api.pagerduty.com",
        "jira": "https://acme.atlassian.net",
        "servicenow": "https://acme.service-now.com",
        "github": "https://api.github.com",
        "gitlab": "https://gitlab.example.com",
    }[kind]
    return SourceConfig(kind, kind, base, {"since": "2026-01-01T00:00:00Z", **options})


def creds(kind: str) -> Credentials:
    if kind in ("jira",):
        return Credentials(token=SECRET, user="ops@acme.example", source=kind)
    if kind == "servicenow":
        return Credentials(user="trustmeter.reader", password=SECRET, source=kind)
    return Credentials(token=SECRET, source=kind)


class Replay(httpx.BaseTransport):
    """Recorded exchanges as a transport. Each interaction has a request pattern (method,
    path, query values it must have, query keys it must lack, JSON body keys it must have)
    and a response; a request takes the first unused interaction it matches, so a 429
    recorded before a 200 is answered first. A request matching nothing fails the test."""

    def __init__(self, name: str, fail: Callable[[httpx.Request], bool] | None = None) -> None:
        data = json.loads((FIXTURES / name).read_text("utf-8"))
        self.interactions: list[dict[str, Any]] = data["interactions"]
        self.used = [False] * len(self.interactions)
        self.fail = fail
        self.requests: list[httpx.Request] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if self.fail is not None and self.fail(request):
            raise httpx.ConnectError("connection reset by peer", request=request)
        body = json.loads(request.content) if request.content else {}
        for i, inter in enumerate(self.interactions):
            if self.used[i] or not _matches(inter["request"], request, body):
                continue
            self.used[i] = True
            r = inter["response"]
            return httpx.Response(
                r["status"], headers=r.get("headers", {}), json=r.get("json"), request=request
            )
        raise AssertionError(f"no recorded response for {request.method} {request.url}")

    def unused(self) -> list[dict[str, Any]]:
        return [i["request"] for i, u in zip(self.interactions, self.used, strict=True) if not u]


def _matches(pattern: dict[str, Any], request: httpx.Request, body: dict[str, Any]) -> bool:
    if (
        pattern["method"] != request.method
        or pattern["path"] != request.url.raw_path.decode().split("?")[0]
    ):
        return False
    params = request.url.params
    if any(params.get(k) != v for k, v in pattern.get("query", {}).items()):
        return False
    if any(k in params for k in pattern.get("query_absent", [])):
        return False
    want = pattern.get("json_contains", {})
    if not want and "json_contains" in pattern and body.get("starting_after"):
        return False
    return all(body.get(k) == v for k, v in want.items())
