"""Write survey responses as an import would (the metric tests and the golden-SQL workspace)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pyarrow as pa

from trustmeter import surveys as sv
from trustmeter.records import kind
from trustmeter.store import Store
from trustmeter.store.writer import to_arrow, write

# One respondent: (response id, group, {item: answer}).
Answers = Sequence[tuple[str, str | None, dict[str, Any]]]

ANSWER_SCHEMA = pa.schema(
    [
        ("response_id", pa.string()),
        ("item", pa.string()),
        ("value_num", pa.float64()),
        ("value_text", pa.string()),
    ]
)


def write_responses(
    store: Store,
    campaign: str,
    answers: Answers,
    submitted: str | None = "2024-03-10T09:00:00",
    survey: sv.SurveyKind = "stakeholder",
    source: str = "test",
    raw: bool = False,
) -> None:
    """Write the responses in one transaction. Answers pass through `surveys.validate` as an
    import's do, unless `raw` (to store what an importer would refuse and show a metric copes)."""
    rows, a_rows = [], []
    for rid, group, given in answers:
        rows.append(
            {
                "id": rid,
                "campaign": campaign,
                "kind": survey,
                "group": group,
                "submitted_at": submitted,
            }
        )
        for it, v in given.items():
            value = v if raw else sv.validate(sv.item(it, survey), v)
            num = float(value) if isinstance(value, (int, float)) else None
            text = value if isinstance(value, str) else None
            a_rows.append({"response_id": rid, "item": it, "value_num": num, "value_text": text})
    rk = kind("survey-responses")
    answers_table = pa.Table.from_pylist(a_rows, schema=ANSWER_SCHEMA)
    with store.transaction():
        write(store, rk, to_arrow(rk, rows), source, answers=answers_table)
