"""Uploading an export: the same use case as `trustmeter import`, all or nothing.

The form offers the built-in formats (`--format`) beside a mapping file, and the import runs
through `usecases.importing.import_records`, so a raw ServiceNow or Jira export reads on the
dashboard exactly as it does on the command line.

Nothing is written on the first step: `POST /uploads` runs the import as `import --explain
--dry-run` does and shows the preview (which column feeds which field and why, what each
value becomes, the first rows, the problems, and what the import would do). The file waits in
its temporary folder, under a random token bound to the admin who sent it, until that admin
confirms (`POST /uploads/confirm`, which imports it for real) or cancels; unconfirmed previews
are deleted after `PENDING_S` or when the server stops.

The file is saved under its own name in a fresh temporary folder and imported from there. A
name is taken only as a plain file name: anything with a path in it ("../", "/", "\\"), a
leading dot or a control character is refused, never cleaned up into something else.
"""

from __future__ import annotations

import contextlib
import re
import secrets
import shutil
import tempfile
import threading
import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import UploadFile

from trustmeter import records
from trustmeter.connectors.explain import Explanation
from trustmeter.connectors.presets import Preset, list_presets
from trustmeter.errors import TrustmeterError
from trustmeter.ingest import ImportResult
from trustmeter.usecases.importing import ImportRequest, import_records, sample_rows
from trustmeter.web.deps import AdminDep, CsrfDep, StateDep, flash, require_admin, take_flashes
from trustmeter.web.views import page

router = APIRouter(include_in_schema=False)

KINDS = [k.kind for k in records.KINDS]
EXTENSIONS = (".csv", ".tsv", ".txt", ".json", ".ndjson", ".jsonl", ".xlsx")
_PLAIN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 ._()+,=-]{0,150}$")
PENDING_S = 30 * 60


@dataclass(frozen=True)
class Pending:
    """An upload previewed and not yet confirmed: its files wait in `folder`."""

    user: str
    folder: Path
    name: str
    request: ImportRequest
    made: float


_pending: dict[str, Pending] = {}
_pending_lock = threading.Lock()


def _forget(token: str) -> Pending | None:
    with _pending_lock:
        item = _pending.pop(token, None)
    if item is not None:
        shutil.rmtree(item.folder, ignore_errors=True)
    return item


def _expire() -> None:
    """Delete the previews nobody confirmed within PENDING_S."""
    with _pending_lock:
        old = [t for t, p in _pending.items() if time.monotonic() - p.made > PENDING_S]
    for token in old:
        _forget(token)


def pending() -> list[Pending]:
    """The previews waiting for their admin's answer (for the tests and the log)."""
    with _pending_lock:
        return list(_pending.values())


def forget_all() -> None:
    """At shutdown: no preview outlives the server that made it."""
    for token in list(_pending):
        _forget(token)


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


def _summary(kind: str, name: str, result: ImportResult, preview: bool = False) -> str:
    dry_run = result.dry_run
    if preview:
        text = (
            f"Nothing is written yet. Confirmed, the import reads {result.rows_read:,} {kind} "
            f"rows from {name} as source {result.source!r}: {result.inserted:,} new, "
            f"{result.updated:,} updated, {result.unchanged:,} unchanged."
        )
    else:
        text = (
            f"{'Checked' if dry_run else 'Imported'} {result.rows_read:,} {kind} rows from "
            f"{name} as source {result.source!r}: {result.inserted:,} new, {result.updated:,} "
            f"updated, {result.unchanged:,} unchanged."
            + (" Dry run: nothing was written." if dry_run else "")
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
    """The preview: the import run as `--explain --dry-run`; nothing is written."""
    _expire()
    form = await request.form()
    kind = str(form.get("kind", ""))
    format_name = str(form.get("format", "")).strip()
    source = str(form.get("source", "")).strip() or None
    dry_run = form.get("dry_run") == "1"
    values = {"kind": kind, "format": format_name, "source": source or "", "dry_run": dry_run}
    upload, mapping_upload = form.get("file"), form.get("mapping")
    folder = Path(tempfile.mkdtemp(prefix="trustmeter-upload-"))
    keep = False
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
        preview = _preview(state, wanted, folder)
        if preview["explained"] is None:  # refused before a column was read: the form again
            raise UploadRefused(preview["problem"])
        token = ""
        if preview["problem"] is None and not dry_run:
            token = secrets.token_urlsafe(24)
            with _pending_lock:
                _pending[token] = Pending(user.username, folder, name, wanted, time.monotonic())
            keep = True
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
        if not keep:
            shutil.rmtree(folder, ignore_errors=True)
    data = {**preview, "name": name, "kind": kind, "token": token, "dry_run": dry_run}
    status = 400 if preview["problem"] else 200
    return page(request, "upload_preview.html.j2", data, status_code=status, title="Preview")


def _preview(state: Any, wanted: ImportRequest, folder: Path) -> dict[str, Any]:
    """What `import --explain --dry-run` says of the upload, and its first rows."""
    seen: list[Explanation] = []
    problem = summary = None
    try:
        with state.db.write_lock, state.db.connection() as store:
            result = import_records(
                state.workspace,
                replace(wanted, explain=True, dry_run=True),
                explained_first=seen.append,
                store=store,
            ).result
        summary = _summary(wanted.kind, wanted.files[0].name, result, preview=not wanted.dry_run)
    except TrustmeterError as exc:
        problem = str(exc).replace(str(folder) + "/", "")
    columns: list[str] = []
    rows: list[list[str | None]] = []
    if seen:
        with contextlib.suppress(TrustmeterError):  # the explanation and problem say enough
            columns, rows = sample_rows(state.workspace, wanted)
    used = {col for f in seen[:1] for _, col, _ in f.files[0].used} if seen else set()
    shown = [i for i, c in enumerate(columns) if c in used] or list(range(min(8, len(columns))))
    explained = seen[0].as_dict() if seen else None
    for f in explained["files"] if explained else []:
        f["file"] = Path(f["file"]).name  # as the user knows it, not our temporary folder
    return {
        "explained": explained,
        "problem": problem,
        "summary": summary,
        "columns": [columns[i] for i in shown],
        "rows": [[r[i] for i in shown] for r in rows],
    }


@router.post(
    "/uploads/confirm", dependencies=[Depends(require_admin), CsrfDep], response_model=None
)
async def confirm(request: Request, state: StateDep, user: AdminDep) -> Response:
    """Import a previewed upload for real, or cancel it; either way its files go."""
    form = await request.form()
    token = str(form.get("preview_token", ""))
    with _pending_lock:
        item = _pending.get(token)
        if item is not None and item.user != user.username:
            item = None  # another admin's preview is not this one's to confirm
    if item is None or time.monotonic() - item.made > PENDING_S:
        return page(
            request,
            "upload.html.j2",
            _data({"file": "This preview has expired or is not yours: upload the file again."}),
            status_code=400,
            title="Upload an export",
        )
    try:
        if form.get("cancel") == "1":
            flash(request, f"Cancelled: nothing from {item.name} was imported.")
            return RedirectResponse("/uploads", status_code=303)
        with state.db.write_lock, state.db.connection() as store:
            result = import_records(state.workspace, item.request, store=store).result
    except TrustmeterError as exc:
        message = str(exc).replace(str(item.folder) + "/", "")
        return page(
            request, "upload.html.j2", _data({"file": message}), status_code=400, title="Upload"
        )
    finally:
        _forget(token)
    flash(request, _summary(item.request.kind, item.name, result))
    return RedirectResponse("/uploads", status_code=303)
