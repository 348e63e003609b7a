"""Running a survey campaign: invitees, links, answers and writing a response.

A link carries a random token (`secrets.token_urlsafe(32)`, 256 bits); the invitation keeps
only its sha256. Issuing links gives every unused invitation a new token, so the CSV of links
can be downloaded again (for lost links) at the cost of cancelling the previous unused ones.
A submitted response is a canonical `survey_response` with its `survey_answer` rows under a
random response id, written in a transaction of its own after the one that marks the
invitation used (`claim_link`, then `write_response`): no column, transaction id, time finer
than the day, or order of ids leads from one table to the other.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
import secrets
from collections import Counter
from collections.abc import Mapping
from datetime import datetime
from typing import Any

import pyarrow as pa

from trustmeter import surveys
from trustmeter.metrics.common import latest
from trustmeter.records import kind as record_kind
from trustmeter.store import Store
from trustmeter.store import campaigns as rows
from trustmeter.store.campaigns import CampaignRow, Invitee
from trustmeter.store.writer import AUTO_SOURCE, to_arrow, write

ANSWERS = pa.schema(
    [
        ("response_id", pa.string()),
        ("item", pa.string()),
        ("value_num", pa.float64()),
        ("value_text", pa.string()),
    ]
)
MAX_COMMENT = 4000


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def draft_key(token: str) -> str:
    """The key of a saved draft: derived from the token, but not from its stored hash."""
    return hashlib.sha256(b"draft\0" + token.encode()).hexdigest()


def to_the_day(t: datetime) -> datetime:
    """Times that could pair an invitee with a response (the invitation's used_at, the
    response's submitted_at) are kept to the day: within a day, who answered first is lost."""
    return t.replace(hour=0, minute=0, second=0, microsecond=0)


def slug(name: str) -> str:
    s = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:40] or "campaign"
    return f"{s}-{secrets.token_hex(3)}"


def services(store: Store) -> list[tuple[str, str]]:
    """The service catalogue (records imported as services, not stubs made from names)."""
    t = latest(store.table("service"))
    t = t.filter(t.source != AUTO_SOURCE).order_by("name", "id")
    return [(str(i), str(n)) for i, n in t.select("id", "name").execute().itertuples(index=False)]


def invitees(store: Store, kind: str, key_only: bool = False, today: Any = None) -> list[Invitee]:
    """Stakeholders (business unit as group), or current IT staff (team as group).

    Only records imported as such: a stub made from a name in another record is not a list
    entry anyone vouched for, and has no business unit, team or address.
    """
    if kind == surveys.STAKEHOLDER:
        t = latest(store.table("stakeholder"))
        t = t.filter(t.source != AUTO_SOURCE)
        if key_only:
            t = t.filter(t.key)
        df = t.select("id", "name", "business_unit", "email").execute()
        out = [
            Invitee(str(r.id), _text(r.name), _text(r.email), _text(r.business_unit))
            for r in df.itertuples(index=False)
        ]
    else:
        t = latest(store.table("person"))
        t = t.filter(t.source != AUTO_SOURCE)
        if today is not None:
            t = t.filter(t.left_on.isnull() | (t.left_on > today))
        df = t.select("id", "team").execute()
        out = [Invitee(str(r.id), None, None, _text(r.team)) for r in df.itertuples(index=False)]
    return sorted(out, key=lambda i: (i.group or "", i.name or "", i.invitee))


def _text(v: Any) -> str | None:
    if v is None or (isinstance(v, float) and v != v):
        return None
    s = str(v).strip()
    return s or None


def group_warning(people: list[Invitee], least: int, kind: str) -> str | None:
    """Why this campaign's results could not show any group of its own (or nothing at all),
    even if everyone invited answered; None when some group could be shown."""
    if len(people) < least:
        return (
            f"Only {len(people)} people are invited: results are shown only when at least "
            f"{least} answer, so this campaign will never show any."
        )
    sizes = Counter(p.group or surveys.NO_GROUP for p in people)
    best = surveys.anonymise([surveys.GroupFigure(g, n, {}) for g, n in sizes.items()], least)
    if best.shown:
        return None
    what = "business unit" if kind == surveys.STAKEHOLDER else "team"
    return (
        f"Even if everyone answers, no {what} can be shown on its own: a group needs at least "
        f"{least} respondents (and another big enough to keep it from being worked out by "
        "subtraction). Results will give the overall figures only."
    )


def create(store: Store, campaign: CampaignRow, people: list[Invitee], now: datetime) -> None:
    rows.create_campaign(store, campaign)
    rows.add_invitations(store, campaign.id, [(secrets.token_hex(16), p) for p in people], now)


def issue_links(
    store: Store, campaign: CampaignRow, base_url: str, now: datetime, with_email: bool = False
) -> list[dict[str, str]]:
    """New links for every invitation not yet used (only those with an email address, when
    `with_email`); the earlier unused links of those invitations stop working."""
    out = []
    for inv in rows.invitations(store, campaign.id, unused_only=True):
        if with_email and not inv.email:
            continue
        token = secrets.token_urlsafe(32)
        rows.set_token(store, inv.id, token_hash(token), now)
        out.append(
            {
                "invitee": inv.invitee or "",
                "name": inv.invitee_name or "",
                "email": inv.email or "",
                "group": inv.group or "",
                "link": f"{base_url.rstrip('/')}/s/{token}",
                # The last day answers are taken (ends_at is the midnight after it).
                "closes": campaign.last_day.isoformat(),
            }
        )
    return out


def links_csv(links: list[dict[str, str]]) -> str:
    buf = io.StringIO()
    w = csv.DictWriter(buf, ["invitee", "name", "email", "group", "link", "closes"])
    w.writeheader()
    for row in links:
        # A spreadsheet would run a cell that starts with = + - @ as a formula. (An empty
        # cell starts with nothing: `"" in "=+-@"` is true, so test the first character.)
        w.writerow({k: ("'" + v if v and v[0] in "=+-@" else v) for k, v in row.items()})
    return buf.getvalue()


def items(campaign: CampaignRow) -> list[surveys.Item]:
    return surveys.items(campaign.kind, services=campaign.service_list())  # type: ignore[arg-type]


def parse_answers(
    campaign: CampaignRow, form: Mapping[str, Any]
) -> tuple[dict[str, float | str], dict[str, str]]:
    """The answers given (blank ones are not answers) and, per item, what was expected."""
    answers: dict[str, float | str] = {}
    errors: dict[str, str] = {}
    for it in items(campaign):
        raw = form.get(it.id)
        if not isinstance(raw, str) or not raw.strip():
            continue
        if it.free_text and len(raw) > MAX_COMMENT:
            errors[it.id] = f"Please keep this to {MAX_COMMENT} characters."
            continue
        try:
            answers[it.id] = surveys.validate(it, raw, campaign.kind)  # type: ignore[arg-type]
        except ValueError as exc:
            errors[it.id] = f"Please choose {exc}."
    return answers, errors


def claim_link(store: Store, token: str, now: datetime) -> rows.InvitationRow | None:
    """Use up the link: the invitation it belongs to, or None when it was used already.

    Its own transaction (`Database.writing()`), committed before the response is written by
    `write_response` in another: the two never share a transaction id.
    """
    inv = rows.find_invitation(store, token_hash(token))
    if inv is None or not rows.claim(store, token_hash(token), to_the_day(now)):
        return None
    return inv


def write_response(
    store: Store,
    campaign: CampaignRow,
    inv: rows.InvitationRow,
    token: str,
    answers: dict[str, float | str],
    attributed: bool,
    now: datetime,
) -> None:
    """Write the response of a claimed link, in its own transaction (`Database.writing()`).

    The response id is random, so ids do not order responses; the times kept (submitted_at
    and the writer's imported_at) are the day only. The invitation is not read here beyond
    the group (and the invitee, when a stakeholder chose to be named).
    """
    response_id = "web-" + secrets.token_hex(12)
    stakeholder = inv.invitee if attributed and campaign.kind == surveys.STAKEHOLDER else None
    day = to_the_day(now)
    response = to_arrow(
        record_kind("survey-responses"),
        [
            {
                "id": response_id,
                "campaign": campaign.name,
                "kind": campaign.kind,
                "group": inv.group,
                "stakeholder": stakeholder,
                "submitted_at": day,
            }
        ],
    )
    ids = sorted(answers)
    answer_table = pa.table(
        {
            "response_id": [response_id] * len(ids),
            "item": ids,
            "value_num": [v if isinstance(v, float) else None for v in (answers[i] for i in ids)],
            "value_text": [v if isinstance(v, str) else None for v in (answers[i] for i in ids)],
        },
        schema=ANSWERS,
    )
    source = f"web:{campaign.id}"
    write(store, "survey-responses", response, source=source, answers=answer_table)
    # The writer stamps imported_at to the microsecond; keep only the day.
    store.execute(
        "UPDATE survey_response SET imported_at = ? WHERE source = ? AND source_id = ?",
        (day, source, response_id),
    )
    rows.delete_draft(store, draft_key(token))
