"""Compiled report templates kept between commands, in the workspace's `.cache/templates/`.

Jinja compiles a template to Python before it renders it; for the report's templates that
is about a quarter of a second, paid again by every `trustmeter report` process. Jinja's
own bytecode cache keeps the compiled code: an entry is keyed by the template's name and
checked against a checksum of its source (an edited template is compiled afresh), and Jinja
refuses code written by another Python version. The key here also carries the Environment's
options (autoescape, whitespace control), which change the code a template compiles to.

Like the SQL cache, the folder is safe to delete at any time, and a folder that cannot be
written only means no caching: the report is rendered all the same.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from jinja2 import FileSystemBytecodeCache
from jinja2.bccache import Bucket

# Under the workspace's root, beside the SQL cache (workspace.SQL_CACHE).
FOLDER = Path(".cache") / "templates"


class TemplateCache(FileSystemBytecodeCache):
    """Jinja's file cache, keyed by the Environment's options too, and never an error."""

    def __init__(self, folder: Path, options: str) -> None:
        super().__init__(str(folder))
        self.folder = folder
        self.options = options

    def get_cache_key(self, name: str, filename: str | None = None) -> str:
        text = f"{self.options}|{name}|{filename or ''}"
        return hashlib.sha256(text.encode("utf-8")).hexdigest()

    def load_bytecode(self, bucket: Bucket) -> None:
        try:
            super().load_bytecode(bucket)
        except (OSError, EOFError, ValueError):
            bucket.reset()  # unreadable or cut short: compile it again

    def dump_bytecode(self, bucket: Bucket) -> None:
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            super().dump_bytecode(bucket)
        except OSError:
            pass  # a read-only workspace: nothing is kept, nothing fails
