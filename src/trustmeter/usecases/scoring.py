"""A Scorer for a workspace: its database, its framework, its profile and settings."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from trustmeter.framework import Framework
from trustmeter.metrics.slices import Slice
from trustmeter.scorecard.scorer import Scorer
from trustmeter.store import Store
from trustmeter.workspace import Workspace


def scorer_for(
    ws: Workspace, store: Store, slice: Slice | None = None, framework: Framework | None = None
) -> Scorer:
    """The workspace's Scorer over an open store (the caller closes the store).

    `framework` is the workspace's framework when the caller already holds it loaded (the
    web app reads it once at start, so every page scores under the same one); else it is read.
    """
    return Scorer(store, framework or ws.framework(), ws.profile, ws.as_dict(), slice=slice)


@contextlib.contextmanager
def open_scorer(ws: Workspace, slice: Slice | None = None) -> Iterator[Scorer]:
    """The workspace's Scorer on a store of its own, closed when the block ends."""
    store = ws.open()
    try:
        yield scorer_for(ws, store, slice)
    finally:
        store.close()
