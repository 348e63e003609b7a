"""Errors a user sees: each says what went wrong, where, and what was expected."""

from __future__ import annotations

from dataclasses import dataclass


class TrustmeterError(Exception):
    """Base class: the CLI prints these as one clean message, never a traceback."""


@dataclass
class InputError(TrustmeterError):
    """A problem with one value in an input file."""

    file: str
    problem: str
    line: int | None = None
    column: str | None = None
    value: str | None = None
    expected: str | None = None
    hint: str | None = None

    def __str__(self) -> str:
        where = self.file
        if self.line is not None:
            where += f", line {self.line}"
        if self.column is not None:
            where += f", column {self.column!r}"
        parts = [f"{where}: {self.problem}"]
        if self.value is not None:
            shown = self.value if len(self.value) <= 80 else self.value[:77] + "..."
            parts.append(f"value {shown!r}")
        if self.expected:
            parts.append(f"expected {self.expected}")
        msg = "; ".join(parts)
        if self.hint:
            msg += f". {self.hint}"
        return msg

    def as_dict(self) -> dict[str, object]:
        return {
            "file": self.file,
            "line": self.line,
            "column": self.column,
            "value": self.value,
            "problem": self.problem,
            "expected": self.expected,
            "hint": self.hint,
        }


class ConfigError(TrustmeterError):
    """A framework file, mapping file or workspace setting is wrong."""
