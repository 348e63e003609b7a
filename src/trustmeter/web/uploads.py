"""Uploading an export: the same use case as `trustmeter import`, all or nothing.

The form offers the built-in formats (`--format`) beside a mapping file, and the import runs
through `usecases.importing.import_records`, so a raw ServiceNow or Jira export reads on the
dashboard exactly as it does on the command line.

The file is saved under its own name in a fresh temporary folder and imported from there. A
name is taken only as a plain file name: anything with a path in it ("../", "/", "\\"), a
leading dot or a control character is refused, never cleaned up into something else.
"""

from __future__ import annotations

import re
import shutil
import tempfile
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import UploadFile

from trustmeter import records
from trustmeter.connectors.presets import Preset, list_presets
from trustmeter.errors import TrustmeterError
from trustmeter.ingest import ImportResult
from trustmeter.usecases.importing import ImportRequest, import_records
from trustmeter.web.deps import AdminDep, CsrfDep, StateDep, flash, require_admin, take_flashes
from trustmeter.web.views import page

router = APIRouter(include_in_schema=False)

KINDS = [k.kind for k in records.KINDS]
EXTENSIONS = (".csv", ".tsv", ".txt", ".json", ".ndjson", ".jsonl", ".xlsx")
_PLAIN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 ._()+,=-]{0,150}$")


class UploadRefused(Exception):
    pass


def safe_name(name: str | None, extensions: tuple[str, ...] = EXTENSIONS) -> str:
    """The upload's name when it is a plain file name with a known extension, else refuse."""
    if not name:
        raise UploadRefused("Choose a file to upload.")
    if "/" in name or "\\" in name or ".." in name or "\0" in name:
        raise UploadRefused(
            f"The file name {name!r} contains a path: upload a file with a plain name."
        )
    if not _PLAIN.match(name) or Path(name).name != name:
        raise UploadRefused(
            f"The file name {name!r} is not a plain file name: use letters, digits, spaces "
            "and . _ - ( ) only."
        )
    if not name.lower().endswith(extensions):
        raise UploadRefused(f"{name!r}: expected a file ending in {', '.join(extensions)}.")
    return name


def _save(upload: UploadFile, folder: Path, name: str, limit: int) -> Path:
    path = folder / name
    size = 0
    with path.open("wb") as out:
        while chunk := upload.file.read(1 << 20):
            size += len(chunk)
            if size > limit:
                raise UploadRefused(f"{name}: larger than {limit // (1 << 20)} MB.")
            out.write(chunk)
    return path


def formats() -> dict[str, list[Preset]]:
    """The built-in formats by the record kind they read, in the order of KINDS."""
    every = list_presets()
    by_kind = {k: [p for p in every if p.kind == k] for k in KINDS}
    return {k: ps for k, ps in by_kind.items() if ps}


def chosen_format(kind: str, name: str) -> str | None:
    """The preset the form names for `kind`, or None for "no built-in format"."""
    if name in ("", "none"):
        return None
    known = {p.name: p for p in list_presets()}
    if name not in known:
        raise UploadRefused(f"Unknown format {name!r}: choose one from the list.")
    if known[name].kind != kind:
        raise UploadRefused(
            f"The format {known[name].title!r} reads {known[name].kind}, not {kind}: choose "
            f"{known[name].kind} as what the file holds, or another format."
        )
    return name


def _data(errors: dict[str, str] | None = None, **values: Any) -> dict[str, Any]:
    shown = {"kind": "", "format": "", "source": "", "dry_run": False, **values}
    return {"kinds": KINDS, "formats": formats(), "errors": errors or {}, "values": shown}


def _summary(kind: str, name: str, result: ImportResult) -> str:
    dry_run = result.dry_run
    text = (
        f"{'Checked' if dry_run else 'Imported'} {result.rows_read:,} {kind} rows from {name} "
        f"as source {result.source!r}: {result.inserted:,} new, {result.updated:,} updated, "
        f"{result.unchanged:,} unchanged." + (" Dry run: nothing was written." if dry_run else "")
    )
    # What the format noticed (no resolved time, an export cut off at a limit) is shown too.
    return " ".join([text, *result.notes])


@router.get("/uploads", response_class=HTMLResponse)
def upload_page(request: Request, user: AdminDep) -> HTMLResponse:
    return page(
        request, "upload.html.j2", _data(), flashes=take_flashes(request), title="Upload an export"
    )


# The admin check comes before the CSRF check, which reads the form: a request without an
# admin's session is refused before any of its body is read (web.guards limits the rest).
@router.post("/uploads", dependencies=[Depends(require_admin), CsrfDep], response_model=None)
async def upload(request: Request, state: StateDep, user: AdminDep) -> Response:
    form = await request.form()
    kind = str(form.get("kind", ""))
    format_name = str(form.get("format", "")).strip()
    source = str(form.get("source", "")).strip() or None
    dry_run = form.get("dry_run") == "1"
    values = {"kind": kind, "format": format_name, "source": source or "", "dry_run": dry_run}
    upload, mapping_upload = form.get("file"), form.get("mapping")
    folder = Path(tempfile.mkdtemp(prefix="trustmeter-upload-"))
    try:
        if kind not in KINDS:
            raise UploadRefused("Choose what the file holds.")
        preset = chosen_format(kind, format_name)
        if not isinstance(upload, UploadFile):
            raise UploadRefused("Choose a file to upload.")
        name = safe_name(upload.filename)
        path = _save(upload, folder, name, state.settings.upload_max_bytes)
        mapping_file = None
        if isinstance(mapping_upload, UploadFile) and mapping_upload.filename:
            mname = safe_name(mapping_upload.filename, (".toml",))
            if mname == name:
                raise UploadRefused("The mapping file and the export need different names.")
            mapping_file = _save(mapping_upload, folder, mname, 1 << 20)
        wanted = ImportRequest(
            kind=kind,
            files=(path,),
            preset=preset,
            mapping_file=mapping_file,
            source=source,
            dry_run=dry_run,
        )
        with state.db.write_lock, state.db.connection() as store:
            result = import_records(state.workspace, wanted, store=store).result
    except (UploadRefused, TrustmeterError) as exc:
        # Errors name the file as the user knows it, not our temporary folder.
        message = str(exc).replace(str(folder) + "/", "")
        return page(
            request,
            "upload.html.j2",
            _data({"file": message}, **values),
            status_code=400,
            title="Upload an export",
        )
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    flash(request, _summary(kind, name, result))
    return RedirectResponse("/uploads", status_code=303)
