"""A local git repository as production changes: each release tag is a deployment, and its
lead time runs from the earliest authored commit it ships (one no earlier release contains)
to the tag.

We run the `git` program rather than use pygit2 or dulwich: whoever has a repository has git,
`for-each-ref` and `log` give exactly the two facts we need in one call each, and neither
library is needed anywhere else (pygit2 ships libgit2 binaries; dulwich is pure Python but
walks history far slower). The output is read with NUL separators, so no subject or name can
break the parsing.

Which tags are releases: options in the mapping cannot express a pattern, so the rule is
fixed and documented: tags that look like versions (v1.2, 1.2.3, release-2024.05, 2024.05.1),
leaving out pre-releases (-rc1, -beta, -alpha, -pre, -dev). The service is the repository's
folder name (--value service:"FOLDER"=SERVICE renames it).
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

from trustmeter.connectors._readers import ReadOptions, Row, RowsReader
from trustmeter.errors import InputError
from trustmeter.ingest.readers import Reader

RELEASE = re.compile(r"^(?:v|version[-_]?|release[-_]?)?\d+(?:[._]\d+)*$", re.IGNORECASE)
PRE = re.compile(r"(?i)(rc|alpha|beta|pre|dev|snapshot)")


def _git(repo: Path, *args: str, stdin: str | None = None) -> str:
    exe = shutil.which("git")
    if exe is None:
        raise InputError(str(repo), "the git program is not installed", hint="install git")
    done = subprocess.run(
        [exe, "-C", str(repo), *args],
        input=stdin,
        capture_output=True,
        text=True,
        encoding="utf-8",
        errors="replace",
        check=False,
    )
    if done.returncode != 0:
        raise InputError(
            str(repo),
            f"git {args[0]} failed: {done.stderr.strip()[:300]}",
            expected="a git repository (a folder with .git, or a bare repository)",
        )
    return done.stdout


def is_release(tag: str) -> bool:
    return bool(RELEASE.match(tag)) and not PRE.search(tag)


def shipped(repo: Path, commit: str, earlier: list[str]) -> list[dt.datetime]:
    """The author times of the commits a release ships: reachable from `commit` and from no
    earlier release (`git log COMMIT --not EARLIER...`, the revisions given on stdin so that
    thousands of tags fit)."""
    revs = "\n".join([commit, *(f"^{e}" for e in earlier)]) + "\n"
    out = _git(repo, "log", "--format=%aI", "--stdin", stdin=revs)
    return [dt.datetime.fromisoformat(t) for t in out.split()]


def rows(repo: Path) -> Iterator[tuple[int, Row]]:
    """One row per release tag, in the order they were tagged.

    A release ships the commits reachable from it and from no release tagged before it, so a
    maintenance release tagged between two mainline ones (2.2.5 between 2.3.0 and 2.3.3)
    neither lends its commits to the next mainline release nor borrows theirs. Its first
    commit is the earliest AUTHOR time among them: work written long ago and merged late is
    where its lead time starts, whatever order `git log` lists it in.
    """
    out = _git(
        repo,
        "for-each-ref",
        "--sort=creatordate",
        "--format=%(refname:strip=2)%00%(creatordate:iso-strict)%00%(*objectname)%00%(objectname)%00%(contents:subject)",
        "refs/tags",
    )
    service = repo.resolve().name.removesuffix(".git")
    earlier: list[str] = []
    n = 0
    for line in out.splitlines():
        tag, created, peeled, obj, subject = (line.split("\0") + [""] * 5)[:5]
        if not is_release(tag):
            continue
        commit = peeled or obj
        authored = shipped(repo, commit, earlier)
        n += 1
        earlier.append(commit)
        yield (
            n,
            {
                "tag": tag,
                "tagged_at": created,
                "first_commit_at": min(authored).isoformat() if authored else None,
                "commits": str(len(authored)),
                "subject": subject or tag,
                "service": service,
            },
        )


def reader(path: Path, opts: ReadOptions) -> Reader:
    if not path.is_dir():
        raise InputError(
            str(path),
            "the git format reads a repository folder, not a file",
            expected="the path of a git repository (its working folder or a bare .git)",
        )
    return RowsReader(rows(path))
