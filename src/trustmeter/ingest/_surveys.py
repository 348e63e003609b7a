"""Survey responses: one row per response in the file, one answer per item column.

Items are checked against the questionnaire in `trustmeter.surveys` (catalogue, validation).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Sequence
from types import ModuleType
from typing import Any

import pyarrow as pa

from trustmeter import surveys
from trustmeter.errors import ConfigError, InputError
from trustmeter.ingest._columns import normalise
from trustmeter.ingest._files import Batch

_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
ANSWER_SCHEMA = pa.schema(
    [
        ("response_id", pa.string()),
        ("item", pa.string()),
        ("value_num", pa.float64()),
        ("value_text", pa.string()),
    ]
)


def questionnaire() -> ModuleType | None:
    """The survey catalogue (trustmeter.surveys: data and the anonymity rule, below ingest)."""
    return surveys


def item_finder(mod: ModuleType | None) -> Callable[[str], str | None] | None:
    """Which columns are items: those the questionnaire knows (all others, without one)."""
    if mod is None:
        return None

    def find(column: str) -> str | None:
        for candidate in dict.fromkeys((column.strip(), normalise(column))):
            try:
                mod.item(candidate)
            except KeyError:
                continue
            return candidate
        return None

    return find


def check_items(mod: ModuleType | None, items: Sequence[str], where: str) -> None:
    if mod is None:
        return
    for item in items:
        try:
            mod.item(item)
        except KeyError:
            raise ConfigError(
                f"{where}: [items] names {item!r}, which is not a survey item"
            ) from None


def response_ids(batch: Batch) -> list[str]:
    """A response without an id is known by its content, so a re-import finds it again."""
    names = sorted(batch.columns)
    cols = [batch.columns[n] for n in names]
    out = []
    for row in zip(*cols, strict=True):
        h = hashlib.blake2b(digest_size=10)
        for name, v in zip(names, row, strict=True):
            h.update(
                name.encode() + b"\x00" + (b"\x01" if v is None else v.strip().encode()) + b"\x00"
            )
        out.append("h-" + h.hexdigest())
    return out


def answers(
    mod: ModuleType | None,
    items: dict[str, str],
    batch: Batch,
    ids: Sequence[str | None],
    file: str,
) -> pa.Table:
    rid: list[str | None] = []
    item_col: list[str] = []
    num: list[float | None] = []
    text: list[str | None] = []
    for item, column in items.items():
        values = batch.columns.get(column)
        if values is None:
            continue
        for i, raw in enumerate(values):
            if raw is None or not raw.strip():
                continue
            value = raw.strip()
            parsed: Any
            if mod is not None:
                try:
                    parsed = mod.validate(item, value)
                except ValueError as exc:
                    raise InputError(
                        file,
                        "not a valid answer" + batch.where(i),
                        line=batch.lines[i],
                        column=column,
                        value=raw,
                        expected=str(exc) or f"an answer to {item}",
                    ) from None
            else:
                parsed = float(value) if _NUMBER.match(value) else value
            rid.append(ids[i])
            item_col.append(item)
            is_num = isinstance(parsed, int | float) and not isinstance(parsed, bool)
            num.append(float(parsed) if is_num else None)
            text.append(None if is_num else str(parsed))
    return pa.table([rid, item_col, num, text], schema=ANSWER_SCHEMA)
