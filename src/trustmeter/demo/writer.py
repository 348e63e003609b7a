"""The writer of tool-format exports: CSV as the tools write it, mapping files, ImportSpecs.

Every family writes through one `ExportWriter`, which also records the `trustmeter import`
call (an `ImportSpec`) that reads each file back, so the files and the way to read them are
produced in one place.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import tomli_w

from trustmeter.demo.organisation import TZ_NAME


@dataclass
class ImportSpec:
    """One `trustmeter import` call: the CLI kind, its files, and how to read them.

    With `preset`, the files are a tool's own export read by that built-in preset
    (`--format PRESET`), and `mapping`, when given, is a small mapping file layered on top for
    what the preset cannot know (`--mapping`). Without it, `mapping` reads the files alone.
    """

    kind: str
    files: list[Path]
    mapping: Path | None
    preset: str | None = None


@dataclass
class ExportWriter:
    """Writes the export files into `out` and collects, in order, the ImportSpec of each."""

    out: Path
    specs: list[ImportSpec] = field(default_factory=list)

    def write_csv(
        self, name: str, header: Sequence[str], rows: Iterable[Sequence[Any]], bom: bool = False
    ) -> Path:
        """A CSV as the tools write it: CRLF line ends, UTF-8, with a byte-order mark if `bom`."""
        path = self.out / name
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\r\n")
        w.writerow(header)
        w.writerows(rows)
        path.write_bytes(("\ufeff" if bom else "").encode() + buf.getvalue().encode("utf-8"))
        return path

    def add(
        self, kind: str, files: Path | list[Path], source: str, mapping: dict[str, Any]
    ) -> None:
        """Files read with a mapping file alone: `mapping` is its tables, written beside them."""
        files = files if isinstance(files, list) else [files]
        doc: dict[str, Any] = {"kind": kind, "source": source, "timezone": TZ_NAME}
        doc.update(mapping)
        folder = self.out / "mappings"
        folder.mkdir(exist_ok=True)
        path = folder / (files[0].name.rsplit(".", 1)[0] + ".toml")
        header = f"# How trustmeter reads {files[0].name} ({source}).\n"
        path.write_text(header + tomli_w.dumps(doc), "utf-8")
        self.specs.append(ImportSpec(kind, files, path))

    def add_preset(
        self,
        kind: str,
        files: Path | list[Path],
        preset: str,
        overrides: dict[str, Any] | None = None,
        name: str | None = None,
    ) -> None:
        """Files read by a built-in preset, with `overrides` (a mapping file's tables) on top."""
        files = files if isinstance(files, list) else [files]
        path = None
        if overrides:
            folder = self.out / "mappings"
            folder.mkdir(exist_ok=True)
            path = folder / ((name or files[0].name.rsplit(".", 1)[0]) + ".toml")
            header = (
                f"# What the preset {preset} cannot know about {', '.join(f.name for f in files)}:\n"
                f"# trustmeter import {kind} FILE --format {preset} --mapping {path.name}\n"
            )
            path.write_text(header + tomli_w.dumps(overrides), "utf-8")
        self.specs.append(ImportSpec(kind, files, path, preset))


def stable_zip(data: bytes, stamp: datetime) -> bytes:
    """Rewrite an .xlsx so the same content gives the same bytes: openpyxl stamps the save
    time into docProps/core.xml and into every zip entry."""
    iso = stamp.strftime("%Y-%m-%dT%H:%M:%SZ")
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as src,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst,
    ):
        for info in src.infolist():
            body = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                text = body.decode("utf-8")
                for tag in ("dcterms:created", "dcterms:modified"):
                    text = re.sub(rf"(<{tag}[^>]*>)[^<]*(</{tag}>)", rf"\g<1>{iso}\g<2>", text)
                body = text.encode("utf-8")
            entry = zipfile.ZipInfo(info.filename, date_time=stamp.timetuple()[:6])
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = info.external_attr
            dst.writestr(entry, body)
    return out.getvalue()
