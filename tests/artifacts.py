"""Where tests write files meant for a human to look at (rendered reports, screenshots).

Never the checkout: `TRUSTMETER_ARTIFACTS` names a folder to keep them in (CI uploads it);
unset, they go to one temporary folder per test session, whose path `pytest -ra` prints
at the end of the run (see `pytest_terminal_summary` in tests/conftest.py).
"""

from __future__ import annotations

import os
import tempfile
from functools import cache
from pathlib import Path


@cache
def artifacts_dir() -> Path:
    """The folder for this session's artefacts, created on first use."""
    named = os.environ.get("TRUSTMETER_ARTIFACTS")
    path = Path(named) if named else Path(tempfile.mkdtemp(prefix="trustmeter-artifacts-"))
    path.mkdir(parents=True, exist_ok=True)
    return path


def used() -> bool:
    """Whether any test asked for the folder (so the summary names it only then)."""
    return artifacts_dir.cache_info().currsize > 0
