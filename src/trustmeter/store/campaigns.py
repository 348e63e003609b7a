"""Survey campaigns run from the web app: campaigns, invitations and saved drafts.

An invitation holds the sha256 of its token, never the token, and never the id of the
response it produced: claiming it only sets `used_at`, truncated to the day by the caller so
that its time does not single out a response either. The answers themselves are canonical
`survey_response`/`survey_answer` records, written by `store.writer` like any import, in a
transaction of their own (`web.campaigns.write_response`); `claim` sees to it that neither
a transaction id nor a row's place in the table tells which invitation was claimed last.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from trustmeter.store.database import Store


@dataclass(frozen=True)
class CampaignRow:
    id: str
    name: str
    kind: str  # stakeholder | team
    opens_at: datetime
    closes_at: datetime
    services: str | None  # JSON [[id, name], …]: the per-service items, fixed at creation
    created_by: str | None
    created_at: datetime
    closed_early_at: datetime | None

    @property
    def ends_at(self) -> datetime:
        return self.closed_early_at or self.closes_at

    @property
    def last_day(self) -> date:
        """The last day answers were accepted: a campaign open through 25 December ends at
        midnight starting the 26th, and its last day is the 25th."""
        return (self.ends_at - timedelta(microseconds=1)).date()

    def state(self, now: datetime) -> str:
        """scheduled, open or closed."""
        if now >= self.ends_at:
            return "closed"
        return "open" if now >= self.opens_at else "scheduled"

    def service_list(self) -> list[tuple[str, str | None]]:
        return [(str(s), n) for s, n in json.loads(self.services or "[]")]


@dataclass(frozen=True)
class Invitee:
    invitee: str  # stakeholder or person id
    name: str | None
    email: str | None
    group: str | None  # business unit or team: response rates are counted by it


@dataclass(frozen=True)
class InvitationRow:
    id: str
    campaign_id: str
    invitee: str | None
    invitee_name: str | None
    email: str | None
    group: str | None
    issued_at: datetime | None
    used_at: datetime | None


_CAMPAIGN = "id, name, kind, opens_at, closes_at, services, created_by, created_at, closed_early_at"
_INVITATION = 'id, campaign_id, invitee, invitee_name, email, "group", issued_at, used_at'


def create_campaign(store: Store, c: CampaignRow) -> None:
    store.execute(
        f"INSERT INTO survey_campaign ({_CAMPAIGN}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            c.id,
            c.name,
            c.kind,
            c.opens_at,
            c.closes_at,
            c.services,
            c.created_by,
            c.created_at,
            c.closed_early_at,
        ),
    )


def get_campaign(store: Store, campaign_id: str) -> CampaignRow | None:
    rows = store.fetch(f"SELECT {_CAMPAIGN} FROM survey_campaign WHERE id = ?", (campaign_id,))
    return CampaignRow(*rows[0]) if rows else None


def name_taken(store: Store, name: str) -> bool:
    """A campaign of this name exists, here or among imported survey responses."""
    return bool(
        store.fetch("SELECT 1 FROM survey_campaign WHERE name = ?", (name,))
        or store.fetch("SELECT 1 FROM survey_response WHERE campaign = ? LIMIT 1", (name,))
    )


def list_campaigns(store: Store) -> list[CampaignRow]:
    rows = store.fetch(f"SELECT {_CAMPAIGN} FROM survey_campaign ORDER BY created_at DESC, id")
    return [CampaignRow(*r) for r in rows]


def close_campaign(store: Store, campaign_id: str, now: datetime) -> None:
    store.execute(
        "UPDATE survey_campaign SET closed_early_at = ? WHERE id = ? AND closed_early_at IS NULL",
        (now, campaign_id),
    )
    store.execute("DELETE FROM survey_draft WHERE campaign_id = ?", (campaign_id,))


def add_invitations(
    store: Store, campaign_id: str, invitees: list[tuple[str, Invitee]], now: datetime
) -> None:
    """`invitees` pairs a fresh random invitation id with each invitee."""
    for inv_id, i in invitees:
        store.execute(
            'INSERT INTO survey_invitation (id, campaign_id, invitee, invitee_name, email, "group", '
            "created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (inv_id, campaign_id, i.invitee, i.name, i.email, i.group, now),
        )


def invitations(store: Store, campaign_id: str, unused_only: bool = False) -> list[InvitationRow]:
    where = " AND used_at IS NULL" if unused_only else ""
    rows = store.fetch(
        f"SELECT {_INVITATION} FROM survey_invitation WHERE campaign_id = ?{where} "
        'ORDER BY "group", invitee_name, invitee',
        (campaign_id,),
    )
    return [InvitationRow(*r) for r in rows]


def set_token(store: Store, invitation_id: str, token_hash: str, now: datetime) -> None:
    """Give an unused invitation a new token; the link it had before stops working."""
    store.execute(
        "UPDATE survey_invitation SET token_hash = ?, issued_at = ? "
        "WHERE id = ? AND used_at IS NULL",
        (token_hash, now, invitation_id),
    )


def find_invitation(store: Store, token_hash: str) -> InvitationRow | None:
    rows = store.fetch(
        f"SELECT {_INVITATION} FROM survey_invitation WHERE token_hash = ?", (token_hash,)
    )
    return InvitationRow(*rows[0]) if rows else None


def claim(store: Store, token_hash: str, used_at: datetime) -> bool:
    """Mark an invitation used, once: False when it was used already (or never existed).

    The conditional UPDATE is the guard on both engines: two submissions racing on one token
    cannot both see `used_at IS NULL` (PostgreSQL re-checks the row after the first commits;
    DuckDB aborts the second transaction with a conflict). Call it in a transaction of its
    own, apart from writing the response.

    Neither the row's place nor a transaction id may tell which invitation was claimed last
    (the responses are stored in the order they arrive). DuckDB updates this column in place
    and exposes no transaction id, so the row stays where it was created; the statement must
    not use RETURNING, which makes DuckDB delete and re-insert the row at the end. On
    PostgreSQL an UPDATE writes a new row version, stamped with the transaction id (`xmin`)
    and placed after the rows of its page (`ctid`), so every invitation of the campaign is
    then rewritten, one by one in a random order, by the server-side function
    `survey_shuffle_invitations` (migration 7): they all share this transaction's id, and
    their places no longer follow the claims.
    """
    if store.engine != "postgres":
        count = store.fetch(
            "UPDATE survey_invitation SET used_at = ? WHERE token_hash = ? AND used_at IS NULL",
            (used_at, token_hash),
        )
        return bool(count) and int(count[0][0]) == 1
    # One claim of a campaign at a time, across processes, locked before any invitation is:
    # rewriting the same rows in two random orders at once could deadlock.
    store.fetch(
        "SELECT c.id FROM survey_campaign c JOIN survey_invitation i "
        "ON i.campaign_id = c.id WHERE i.token_hash = ? FOR UPDATE OF c",
        (token_hash,),
    )
    rows = store.fetch(
        "UPDATE survey_invitation SET used_at = ? WHERE token_hash = ? AND used_at IS NULL "
        "RETURNING campaign_id",
        (used_at, token_hash),
    )
    if len(rows) != 1:
        return False
    store.fetch("SELECT survey_shuffle_invitations(?)", (rows[0][0],))
    return True


def unclaim(store: Store, token_hash: str) -> None:
    """Give a claimed invitation back, when its response could not be written."""
    store.execute("UPDATE survey_invitation SET used_at = NULL WHERE token_hash = ?", (token_hash,))


def response_rates(store: Store, campaign_id: str) -> list[tuple[str | None, int, int]]:
    """(group, invited, answered) per business unit or team."""
    rows = store.fetch(
        'SELECT "group", count(*), count(used_at) FROM survey_invitation WHERE campaign_id = ? '
        'GROUP BY "group" ORDER BY "group"',
        (campaign_id,),
    )
    return [(g, int(n), int(u)) for g, n, u in rows]


def save_draft(
    store: Store, draft_key: str, campaign_id: str, answers: dict[str, Any], now: datetime
) -> None:
    store.execute("DELETE FROM survey_draft WHERE draft_key = ?", (draft_key,))
    store.execute(
        "INSERT INTO survey_draft (draft_key, campaign_id, answers, saved_at) VALUES (?, ?, ?, ?)",
        (draft_key, campaign_id, json.dumps(answers), now),
    )


def load_draft(store: Store, draft_key: str) -> tuple[dict[str, Any], datetime] | None:
    rows = store.fetch(
        "SELECT answers, saved_at FROM survey_draft WHERE draft_key = ?", (draft_key,)
    )
    if not rows:
        return None
    return dict(json.loads(rows[0][0])), rows[0][1]


def purge_drafts(store: Store, now: datetime) -> None:
    """Saved answers are kept until their campaign closes, and not after."""
    store.execute(
        "DELETE FROM survey_draft WHERE campaign_id IN (SELECT id FROM survey_campaign "
        "WHERE coalesce(closed_early_at, closes_at) <= ?)",
        (now,),
    )


def delete_draft(store: Store, draft_key: str) -> None:
    store.execute("DELETE FROM survey_draft WHERE draft_key = ?", (draft_key,))


def campaign_ends(store: Store) -> dict[str, datetime]:
    """When each campaign run from the web app ends: its closing date, or when it was closed
    early (the survey metrics read a web campaign only from then on)."""
    rows = store.fetch("SELECT name, coalesce(closed_early_at, closes_at) FROM survey_campaign")
    return {str(n): end for n, end in rows if end is not None}


def invitation_text(store: Store, campaign_id: str) -> tuple[str, str] | None:
    """The campaign's own invitation (subject, body), or None when it uses the default."""
    rows = store.fetch(
        "SELECT subject, body FROM survey_invitation_text WHERE campaign_id = ?", (campaign_id,)
    )
    return (str(rows[0][0]), str(rows[0][1])) if rows else None


def set_invitation_text(
    store: Store, campaign_id: str, subject: str, body: str, by: str, now: datetime
) -> None:
    store.execute("DELETE FROM survey_invitation_text WHERE campaign_id = ?", (campaign_id,))
    store.execute(
        "INSERT INTO survey_invitation_text (campaign_id, subject, body, updated_by, updated_at) "
        "VALUES (?, ?, ?, ?, ?)",
        (campaign_id, subject, body, by, now),
    )
