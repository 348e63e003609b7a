"""Issue 15: an upload shows what `import --explain` shows before anything is written, and
imports only once the admin who sent it confirms; on both engines, the file's text escaped."""

from __future__ import annotations

import re
from html import unescape
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from web_helpers import PASSWORD, csrf_of, login, new_client, upload

from trustmeter.web import accounts
from trustmeter.web import uploads as uploads_mod

SERVICENOW_LIST = (
    "number,opened_at,short_description,caller_id,priority,state,assignment_group,<b>odd</b>\n"
    "INC0020001,{d} 06:04:00,<script>alert(1)</script>,Abel Tuter,2 - High,Closed,Network,x\n"
    "INC0020002,{d} 09:30:00,Printer jam,Abel Tuter,4 - Low,New,Service Desk,y\n"
)


def _count(app: Any, where: str) -> int:
    with app.state.web.db.connection() as store:
        return int(store.scalar(f"SELECT count(*) FROM incident WHERE {where}"))


def _token(html: str) -> str:
    m = re.search(r'name="preview_token" value="([^"]+)"', html)
    assert m, "the preview offers no import"
    return m.group(1)


def _body(app: Any) -> bytes:
    day = app.state.web.scorecards.period(None).start.isoformat()
    return SERVICENOW_LIST.format(d=day).encode()


def test_the_preview_explains_and_writes_nothing_until_confirmed(
    admin: TestClient, app: Any
) -> None:
    r = upload(admin, "incidents", "incident.csv", _body(app), confirm=False,
               format="servicenow-incidents")  # fmt: skip
    assert r.status_code == 200
    text = unescape(r.text)
    # What `import --explain` shows: the format, which column feeds which field, the values.
    assert "ServiceNow" in text and "Which column feeds which field" in text
    assert re.search(r"<th scope=\"row\">id</th><td>number</td>", r.text)
    assert "2 - High" in text and "Values of severity" in text
    assert "The first rows of the file" in text and "INC0020001" in text
    assert "Nothing is written yet" in text and "2 new, 0 updated, 0 unchanged" in text
    # The file's own text is escaped wherever it is shown.
    assert "<script>alert(1)</script>" not in r.text and "&lt;script&gt;" in r.text
    assert "<b>odd</b>" not in r.text and "&lt;b&gt;odd&lt;/b&gt;" in r.text
    assert _count(app, "id LIKE 'INC00200%'") == 0  # nothing written by the preview

    token = _token(r.text)
    done = admin.post("/uploads/confirm", data={"csrf_token": csrf_of(r.text),
                                                "preview_token": token})  # fmt: skip
    assert done.status_code == 200
    assert "Imported 2 incidents rows from incident.csv" in unescape(done.text)
    assert _count(app, "id LIKE 'INC00200%'") == 2
    # A preview imports once: the same token again is refused, nothing doubles.
    again = admin.post("/uploads/confirm", data={"csrf_token": csrf_of(done.text),
                                                 "preview_token": token})  # fmt: skip
    assert again.status_code == 400 and "expired" in again.text
    assert _count(app, "id LIKE 'INC00200%'") == 2
    assert not uploads_mod.pending()  # the files are gone


def test_a_cancelled_or_foreign_preview_imports_nothing(
    admin: TestClient, app: Any, workspace: Any
) -> None:
    with app.state.web.db.connection() as store:
        accounts.add(store, "other", PASSWORD, "admin")
    r = upload(admin, "incidents", "incident.csv", _body(app), confirm=False,
               format="servicenow-incidents")  # fmt: skip
    token = _token(r.text)
    folder = uploads_mod.pending()[0].folder
    assert folder.is_dir()
    other = new_client(app)
    assert login(other, "other").status_code == 303
    page = other.get("/uploads")
    refused = other.post("/uploads/confirm", data={"csrf_token": csrf_of(page.text),
                                                   "preview_token": token})  # fmt: skip
    assert refused.status_code == 400 and "not yours" in refused.text
    assert _count(app, "id LIKE 'INC00200%'") == 0
    cancel = admin.post("/uploads/confirm", data={"csrf_token": csrf_of(r.text),
                                                  "preview_token": token, "cancel": "1"})  # fmt: skip
    assert cancel.status_code == 200 and "Cancelled: nothing from incident.csv" in cancel.text
    assert _count(app, "id LIKE 'INC00200%'") == 0
    assert not Path(folder).exists()


def test_a_preview_with_a_problem_shows_it_and_offers_no_import(
    admin: TestClient, app: Any
) -> None:
    body = b"id,opened_at,severity\nOK-1,2026-01-05 10:00,P1\nBAD-2,<i>not a date</i>,P2\n"
    r = upload(admin, "incidents", "broken.csv", body, confirm=False)
    assert r.status_code == 400
    text = unescape(r.text)
    assert "cannot be imported as it is" in text and "broken.csv, line 3" in text
    assert "Which column feeds which field" in text  # the explanation all the same
    assert "<i>not a date</i>" not in r.text
    assert 'name="preview_token"' not in r.text and not uploads_mod.pending()
    assert _count(app, "id IN ('OK-1', 'BAD-2')") == 0
