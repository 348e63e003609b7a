"""GitHub: deployments, releases and pull requests, as JSON from the REST API.

A file is what `gh api` or the REST API returns (an array, or pages of arrays joined), the
same objects that `trustmeter sync` fetches; `*_row` writes each in one flat vocabulary that
the presets github-deployments, github-releases and github-pull-requests read. The service is
the repository's name unless a deployment's payload names one (payload.service).

A deployment's outcome lives in its statuses, not in the deployment: a dump may embed them
("statuses": [...], newest first, as GET …/statuses returns them) or carry the latest state
("state"); sync fetches them. A deployment counts as deployed when its latest status was
written. We use plain httpx over PyGithub: three list endpoints with Link paging, and
injectable transports for recorded tests.
"""

from __future__ import annotations

import datetime as dt
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
from trustmeter.ingest.readers import Reader

DEFAULT_BASE_URL = "https://api.github.com"
_REPO = re.compile(r"/repos/([^/]+/[^/]+)")


def repository(obj: Mapping[str, Any]) -> str | None:
    """owner/name from the object's API URLs (repository_url, url) or its repository key."""
    for key in ("repository_url", "url", "statuses_url", "html_url"):
        m = _REPO.search(str(obj.get(key) or ""))
        if m:
            return m.group(1)
    repo = obj.get("repository")
    if isinstance(repo, dict):
        return text(repo.get("full_name"))
    return text(repo)


def _short(repo: str | None) -> str | None:
    return repo.rsplit("/", 1)[-1] if repo else None


def deployment_row(dep: Mapping[str, Any], statuses: list[Mapping[str, Any]] | None = None) -> Row:
    statuses = statuses if statuses is not None else dep.get("statuses")
    # The deployment happened when it first reached a final state; a later "inactive" only
    # says a newer deployment replaced it.
    final = sorted(
        (s for s in statuses or [] if s.get("state") in ("success", "failure", "error")),
        key=lambda s: str(s.get("created_at") or ""),
    )
    latest = final[0] if final else None
    if latest is None and statuses:
        latest = max(statuses, key=lambda s: str(s.get("created_at") or ""))
    repo = repository(dep)
    payload = dep.get("payload") if isinstance(dep.get("payload"), dict) else {}
    state = text(dig(latest, "state")) if latest else text(dep.get("state"))
    row: Row = {
        "id": text(dep.get("id")),
        "repository": repo,
        "sha": text(dep.get("sha")),
        "ref": text(dep.get("ref")),
        "environment": text(dep.get("environment")),
        "description": text(dep.get("description")),
        "created_at": text(dep.get("created_at")),
        "state": state,
        "deployed_at": text(dig(latest, "created_at")) if latest else text(dep.get("updated_at")),
        "service": text(dig(payload, "service") or dep.get("payload.service")) or _short(repo),
        "first_commit_at": text(dep.get("first_commit_at")),
    }
    return row


def release_row(rel: Mapping[str, Any]) -> Row:
    repo = repository(rel)
    tag = text(rel.get("tag_name"))
    return {
        "id": f"{repo}@{tag}" if repo else tag,
        "repository": repo,
        "tag_name": tag,
        "name": text(rel.get("name")) or tag,
        "published_at": text(rel.get("published_at")),
        "draft": text(rel.get("draft")),
        "prerelease": text(rel.get("prerelease")),
        "service": _short(repo),
    }


def pull_row(pr: Mapping[str, Any]) -> Row:
    repo = text(dig(pr, "base", "repo", "full_name")) or repository(pr)
    merged = pr.get("merged_at")
    state = "merged" if merged else text(pr.get("state"))
    return {
        "id": f"{repo}#{pr.get('number')}" if repo else text(pr.get("number")),
        "repository": repo,
        "title": text(pr.get("title")),
        "state": state,
        "created_at": text(pr.get("created_at")),
        "merged_at": text(merged),
        "closed_at": text(pr.get("closed_at")),
        "draft": text(pr.get("draft")),
        "author": text(dig(pr, "user", "login")),
        "service": _short(repo),
    }


class DeploymentsReader(RecordsReader):
    """Deployments as JSON, refusing a bare `GET …/deployments` list: without its statuses a
    deployment has no outcome, and every row would be left out with nothing said."""

    def _records(self) -> Iterator[tuple[int, int, object]]:
        for line, number, obj in super()._records():
            if isinstance(obj, dict) and "statuses" not in obj and "state" not in obj:
                raise self.error(
                    f"deployment {obj.get('id', number or line)} has no statuses, so its "
                    "outcome is unknown",
                    line,
                    expected='each deployment with its statuses embedded as "statuses" (GET '
                    '/repos/{owner}/{repo}/deployments/{id}/statuses) or its latest "state"',
                    hint="GitHub's deployments list does not carry the outcome: fetch each "
                    "deployment's statuses and embed them, or use `trustmeter sync` with a "
                    "github source, which fetches them",
                )
            yield line, number, obj


def deployments_reader(path: Path, opts: ReadOptions) -> Reader:
    return DeploymentsReader(path, deployment_row, opts.encoding)


def releases_reader(path: Path, opts: ReadOptions) -> Reader:
    return RecordsReader(path, release_row, opts.encoding)


def pulls_reader(path: Path, opts: ReadOptions) -> Reader:
    return RecordsReader(path, pull_row, opts.encoding)


# -- sync -------------------------------------------------------------------------------------
def auth(creds: Credentials) -> tuple[dict[str, str], None]:
    """A fine-grained token with read access to deployments, contents and pull requests."""
    return {
        "Authorization": f"Bearer {creds.require('token')}",
        "Accept": "application/vnd.github+json",
        "X-GitHub-Api-Version": "2022-11-28",
    }, None


def _pages(http: Http, url: str, params: dict[str, Any]) -> Iterator[tuple[list[Any], str | None]]:
    """Each page and the URL of the next (the Link header), newest first as GitHub lists."""
    next_url: str | None = url
    first = True
    while next_url:
        resp = http.get(next_url, params if first else None)
        first = False
        link = resp.links.get("next", {}).get("url")
        yield resp.json(), link
        next_url = link


def sync(http: Http, source: SourceConfig, cursors: Cursors) -> Iterator[Page]:
    """For each repository in options.repos: deployments (options.environments, default
    production) with their statuses, releases, and pull requests updated since the cursor.

    GitHub lists newest first, so each stream pages back until it reaches what the cursor has
    seen; the cursor moves only once a stream is complete, which makes a resumed run fetch the
    same pages again (upserts keep that harmless) rather than skip any.
    """
    repos = source.options.get("repos") or []
    if not repos:
        from trustmeter.errors import ConfigError

        raise ConfigError(f'[sources.{source.name}] needs options.repos = ["owner/name", ...]')
    envs = source.options.get("environments", ["production"])
    for repo in repos:
        for env in envs:
            yield from _deployments(http, cursors, repo, env, source)
        yield from _stream(
            http,
            cursors,
            f"releases:{repo}",
            f"/repos/{repo}/releases",
            {"per_page": 100},
            "changes",
            "github-releases",
            release_row,
            source,
        )
        yield from _stream(
            http,
            cursors,
            f"pulls:{repo}",
            f"/repos/{repo}/pulls",
            {"state": "all", "sort": "updated", "direction": "desc", "per_page": 100},
            "work-items",
            "github-pull-requests",
            pull_row,
            source,
            stamp="updated_at",
        )


_SUCCEEDED = ("success", "inactive")


def first_commit(http: Http, repo: str, base: str, head: str) -> str | None:
    """The earliest author date among the commits `head` ships beyond `base`
    (GET /repos/{repo}/compare/{base}...{head}, paged by Link), or None when it ships none."""
    if base == head:
        return None
    earliest: dt.datetime | None = None
    url: str | None = f"/repos/{repo}/compare/{base}...{head}"
    params: dict[str, Any] | None = {"per_page": 100}
    while url:
        resp = http.get(url, params)
        params = None
        for c in resp.json().get("commits") or []:
            when = dig(c, "commit", "author", "date")
            if when and (earliest is None or parse_time(when) < earliest):
                earliest = parse_time(when)
        url = resp.links.get("next", {}).get("url")
    return iso(earliest) if earliest is not None else None


def _deployments(
    http: Http, cursors: Cursors, repo: str, env: str, source: SourceConfig
) -> Iterator[Page]:
    """Deployments to `env` created since the cursor, each with its statuses and, when it
    succeeded, its first commit: the earliest author date among the commits it ships beyond
    the previous successful deployment (the compare API), so that lead time runs from a
    commit, never from when the deployment job was created.

    GitHub lists newest first, so a deployment's predecessor is met after it: a succeeded
    deployment waits until the next older success is found (on a later page, or before the
    cursor, whose statuses are then fetched too). The oldest deployment ever has no
    predecessor and no first commit.
    """
    stream = f"deployments:{repo}:{env}"
    seen = cursors.get(stream, {}).get("since") or source.since()
    limit = parse_time(seen)
    newest = seen
    waiting: list[tuple[Mapping[str, Any], list[Any]]] = []
    rows: list[Row] = []

    def statuses(d: Mapping[str, Any]) -> list[Any]:
        got = http.get_json(f"/repos/{repo}/deployments/{d['id']}/statuses", {"per_page": 100})
        return list(got) if isinstance(got, list) else []

    def emit(d: Mapping[str, Any], sts: list[Any], base: str | None) -> None:
        row = deployment_row(d, sts)
        if base is not None and row["state"] in _SUCCEEDED and d.get("sha"):
            row["first_commit_at"] = first_commit(http, repo, base, str(d["sha"]))
        rows.append(row)

    params = {"environment": env, "per_page": 100}
    for items, next_url in _pages(http, f"/repos/{repo}/deployments", params):
        older_reached = False
        for d in items:
            fresh = bool(d.get("created_at")) and parse_time(d["created_at"]) >= limit
            if not fresh and not waiting:
                older_reached = True
                break
            sts = statuses(d)
            succeeded = deployment_row(d, sts)["state"] in _SUCCEEDED
            if succeeded:
                base = str(d["sha"]) if d.get("sha") else None
                for w, w_sts in waiting:
                    emit(w, w_sts, base)
                waiting = []
            if fresh:
                newest = max(newest, d["created_at"], key=parse_time)
                waiting.append((d, sts))
            elif succeeded:
                older_reached = True
                break
        done = next_url is None or older_reached
        if done:
            for w, w_sts in waiting:
                emit(w, w_sts, None)
        state = {"since": newest} if done else {"since": seen}
        yield Page("changes", "github-deployments", rows, state, stream=stream)
        rows = []
        if done:
            return


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
    stamp: str = "created_at",
) -> Iterator[Page]:
    seen = cursors.get(stream, {}).get("since") or source.since()
    limit = parse_time(seen)
    newest = seen
    for items, next_url in _pages(http, url, params):
        fresh = [i for i in items if i.get(stamp) and parse_time(i[stamp]) >= limit]
        for i in fresh:
            newest = max(newest, i[stamp], key=parse_time)
        done = next_url is None or len(fresh) < len(items)
        state = {"since": newest} if done else {"since": seen}
        yield Page(kind, preset, [to_row(i) for i in fresh], state, stream=stream)
        if done:
            return
