"""GitLab: deployments and merge requests, as JSON from the REST API (v4).

Files are what the API returns (GET /projects/:id/deployments, GET /projects/:id/merge_requests),
the same objects `trustmeter sync` fetches; `*_row` flattens the nested parts the presets
need (environment.name, the deployed commit, the project's path). Sync also finds each
successful deployment's first commit (the previous successful deployment, then the repository
compare API), since a deployment records none. Plain httpx rather than python-gitlab, for the
same reasons as GitHub: a few read endpoints and recorded tests.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from trustmeter.connectors._readers import ReadOptions, RecordsReader, Row, dig, text
from trustmeter.connectors.sync import (
    Credentials,
    Cursors,
    Http,
    Page,
    SourceConfig,
    iso,
    parse_time,
)
from trustmeter.errors import ConfigError
from trustmeter.ingest.readers import Reader

DEFAULT_BASE_URL = "https://gitlab.com"
_PROJECT = re.compile(r"https?://[^/]+/(.+?)/-/")


def project_of(obj: Mapping[str, Any]) -> str | None:
    """group/project from the object's web URLs (GitLab does not repeat the path elsewhere)."""
    for url in (
        obj.get("web_url"),
        dig(obj, "deployable", "pipeline", "web_url"),
        dig(obj, "deployable", "web_url"),
        dig(obj, "environment", "external_url"),
    ):
        m = _PROJECT.match(str(url or ""))
        if m:
            return m.group(1)
    full = dig(obj, "references", "full")
    return str(full).split("!")[0] if full else text(obj.get("project"))


def deployment_row(dep: Mapping[str, Any], project: str | None = None) -> Row:
    project = project or project_of(dep)
    return {
        "id": f"{project}/{dep.get('iid')}" if project and dep.get("iid") else text(dep.get("id")),
        "project": project,
        "status": text(dep.get("status")),
        "environment.name": text(dig(dep, "environment", "name")),
        "created_at": text(dep.get("created_at")),
        "finished_at": text(dep.get("finished_at") or dig(dep, "deployable", "finished_at"))
        or text(dep.get("updated_at")),
        "ref": text(dep.get("ref")),
        "sha": text(dep.get("sha")),
        "title": text(dig(dep, "deployable", "commit", "title")),
        "service": project.rsplit("/", 1)[-1] if project else None,
        "first_commit_at": text(dep.get("first_commit_at")),
    }


def merge_request_row(mr: Mapping[str, Any]) -> Row:
    project = project_of(mr)
    ref = text(dig(mr, "references", "full")) or f"{project}!{mr.get('iid')}"
    return {
        "id": ref,
        "project": project,
        "title": text(mr.get("title")),
        "state": text(mr.get("state")),
        "created_at": text(mr.get("created_at")),
        "merged_at": text(mr.get("merged_at")),
        "closed_at": text(mr.get("closed_at")),
        "service": project.rsplit("/", 1)[-1] if project else None,
    }


def deployments_reader(path: Path, opts: ReadOptions) -> Reader:
    return RecordsReader(path, deployment_row, opts.encoding)


def merge_requests_reader(path: Path, opts: ReadOptions) -> Reader:
    return RecordsReader(path, merge_request_row, opts.encoding)


# -- sync -------------------------------------------------------------------------------------
def auth(creds: Credentials) -> tuple[dict[str, str], None]:
    """A personal, group or project access token with read_api."""
    return {"PRIVATE-TOKEN": creds.require("token")}, None


def sync(http: Http, source: SourceConfig, cursors: Cursors) -> Iterator[Page]:
    """For each project in options.projects ("group/project"): deployments to the production
    environments updated since the cursor, then merge requests, oldest update first, paged
    with GitLab's `page`/`X-Next-Page`."""
    projects = source.options.get("projects") or []
    if not projects:
        raise ConfigError(
            f'[sources.{source.name}] needs options.projects = ["group/project", ...]'
        )
    for project in projects:
        pid = project.replace("/", "%2F")
        for env in source.options.get("environments", ["production"]):
            yield from _stream(
                http,
                cursors,
                f"deployments:{project}:{env}",
                f"/api/v4/projects/{pid}/deployments",
                {"environment": env, "order_by": "updated_at", "sort": "asc"},
                "changes",
                "gitlab-deployments",
                lambda d, p=project, e=env: with_first_commit(http, p, e, deployment_row(d, p), d),
                source,
            )
        yield from _stream(
            http,
            cursors,
            f"merge_requests:{project}",
            f"/api/v4/projects/{pid}/merge_requests",
            {"state": "all", "order_by": "updated_at", "sort": "asc"},
            "work-items",
            "gitlab-merge-requests",
            merge_request_row,
            source,
        )


def with_first_commit(http: Http, project: str, env: str, row: Row, dep: Mapping[str, Any]) -> Row:
    """A successful deployment's first commit: the earliest author date among the commits it
    ships beyond the previous successful deployment to the same environment (GitLab's
    `finished_before` filter, which needs order_by=finished_at and status=success, then the
    repository compare API). The first deployment ever has none; the deploy job's created_at
    is never used instead."""
    if row.get("status") != "success" or not row.get("finished_at") or not dep.get("sha"):
        return row
    pid = project.replace("/", "%2F")
    earlier = http.get_json(
        f"/api/v4/projects/{pid}/deployments",
        {
            "environment": env,
            "status": "success",
            "order_by": "finished_at",
            "sort": "desc",
            "finished_before": row["finished_at"],
            "per_page": 2,
        },
    )
    base = next((d.get("sha") for d in earlier or [] if d.get("id") != dep.get("id")), None)
    if not base or base == dep["sha"]:
        return row
    diff = http.get_json(
        f"/api/v4/projects/{pid}/repository/compare", {"from": base, "to": dep["sha"]}
    )
    dates = [
        parse_time(c["authored_date"]) for c in diff.get("commits") or [] if c.get("authored_date")
    ]
    return {**row, "first_commit_at": iso(min(dates)) if dates else None}


def _stream(
    http: Http,
    cursors: Cursors,
    stream: str,
    url: str,
    params: dict[str, Any],
    kind: str,
    preset: str,
    to_row: Any,
    source: SourceConfig,
) -> Iterator[Page]:
    cursor = cursors.get(stream, {})
    since = cursor.get("since") or source.since()
    page = int(cursor.get("page", 1))
    newest = cursor.get("newest") or since
    while True:
        resp = http.get(url, {**params, "updated_after": since, "per_page": 100, "page": page})
        items = resp.json()
        for i in items:
            if i.get("updated_at"):
                newest = max(newest, i["updated_at"], key=parse_time)
        nxt = resp.headers.get("X-Next-Page", "").strip()
        if nxt and items:
            page = int(nxt)
            state: dict[str, Any] = {"since": since, "page": page, "newest": newest}
        else:
            state = {"since": newest}
        yield Page(kind, preset, [to_row(i) for i in items], state, stream=stream)
        if not (nxt and items):
            return
