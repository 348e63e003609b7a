"""Read ahead: produce the next batches in a thread while the caller writes the last one.

An import alternates two kinds of work that each leave Python's lock for most of their time:
reading and converting a batch (Arrow's CSV reader and compute functions) and writing it
(DuckDB's insert, or COPY to PostgreSQL). Run one after the other, each waits for the other;
with the reading in a thread one batch ahead, both run at once on a machine with two cores.

The batches arrive in order and unchanged, so everything downstream (the one transaction,
line numbers, errors) is as if they had been read in the caller's thread. An exception in
the reader is raised in the caller at the point where its batch would have arrived. When the
caller stops early (an error in writing), the reader is told to stop and is waited for, so no
thread outlives the import and the file is closed by its owner afterwards.
"""

from __future__ import annotations

import contextlib
import queue
import threading
from collections.abc import Iterator
from typing import Generic, TypeVar

T = TypeVar("T")

_DONE = object()


class _Failed:
    def __init__(self, error: BaseException) -> None:
        self.error = error


class ReadAhead(Generic[T]):
    """Iterate over `source` in a background thread, at most `depth` items ahead."""

    def __init__(self, source: Iterator[T], depth: int = 2) -> None:
        self._source = source
        self._queue: queue.Queue[object] = queue.Queue(maxsize=depth)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="trustmeter-read-ahead", daemon=True)
        self._thread.start()

    def _put(self, item: object) -> bool:
        while not self._stop.is_set():
            try:
                self._queue.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def _run(self) -> None:
        try:
            for item in self._source:
                if not self._put(item):
                    return
        except BaseException as exc:  # handed to the caller, raised there
            self._put(_Failed(exc))
            return
        self._put(_DONE)

    def __iter__(self) -> Iterator[T]:
        try:
            while True:
                item = self._queue.get()
                if item is _DONE:
                    return
                if isinstance(item, _Failed):
                    raise item.error
                yield item  # type: ignore[misc]
        finally:
            self.close()

    def close(self) -> None:
        """Stop the reader (if it is still going) and wait for it to finish."""
        self._stop.set()
        while self._thread.is_alive():
            with contextlib.suppress(queue.Empty):  # make room, in case it waits to put
                self._queue.get_nowait()
            self._thread.join(timeout=0.05)
        close = getattr(self._source, "close", None)
        if callable(close):
            close()
