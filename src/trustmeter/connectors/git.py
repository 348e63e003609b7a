"""A local git repository as production changes: each release tag is a deployment, and its
lead time runs from the first commit after the previous release tag to the tag.

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

import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

from trustmeter.connectors._ingest import Reader
from trustmeter.connectors._readers import ReadOptions, Row, RowsReader
from trustmeter.errors import InputError

RELEASE = re.compile(r"^(?:v|version[-_]?|release[-_]?)?\d+(?:[._]\d+)*$", re.IGNORECASE)
PRE = re.compile(r"(?i)(rc|alpha|beta|pre|dev|snapshot)")


def _git(repo: Path, *args: str) -> str:
    exe = shutil.which("git")
    if exe is None:
        raise InputError(str(repo), "the git program is not installed", hint="install git")
    done = subprocess.run(
        [exe, "-C", str(repo), *args],
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


def rows(repo: Path) -> Iterator[tuple[int, Row]]:
    """One row per release tag, oldest first."""
    out = _git(
        repo,
        "for-each-ref",
        "--sort=creatordate",
        "--format=%(refname:strip=2)%00%(creatordate:iso-strict)%00%(*objectname)%00%(objectname)%00%(contents:subject)",
        "refs/tags",
    )
    service = repo.resolve().name.removesuffix(".git")
    previous: str | None = None
    n = 0
    for line in out.splitlines():
        tag, created, peeled, obj, subject = (line.split("\0") + [""] * 5)[:5]
        if not is_release(tag):
            continue
        commit = peeled or obj
        span = f"{previous}..{commit}" if previous else commit
        log = _git(repo, "log", "--format=%aI", "--reverse", span).split()
        n += 1
        previous = commit
        yield (
            n,
            {
                "tag": tag,
                "tagged_at": created,
                "first_commit_at": log[0] if log else None,
                "commits": str(len(log)),
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
