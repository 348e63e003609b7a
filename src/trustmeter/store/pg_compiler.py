"""ibis's PostgreSQL compiler with the one translation trustmeter changes: epoch seconds.

ibis compiles `epoch_seconds()` to `EXTRACT(epoch FROM t)`, which PostgreSQL 14 and later
return as `numeric`. Every duration a metric measures is a difference of two of them, and
numeric arithmetic on millions of rows is slow: request lead time's records (3.4 million
work items) took 1.9 s to compute their durations with it and 0.5 s without
(bench/README.md). `date_part('epoch', t)` returns `double precision`, as DuckDB's
`epoch(t)` does, so both engines now subtract the same doubles.
"""

from __future__ import annotations

from typing import Any

import sqlglot.expressions as sge
from ibis.backends.sql.compilers.postgres import PostgresCompiler


class Compiler(PostgresCompiler):  # type: ignore[misc]
    """PostgreSQL's compiler, with epoch seconds as `double precision`."""

    # Part of the compiled-SQL cache's key (sqlcache.py): raise it when a translation changes.
    revision = 1

    def visit_ExtractEpochSeconds(self, op: Any, *, arg: sge.Expression) -> sge.Expression:
        out: sge.Expression = self.f.date_part("epoch", arg)
        return out
