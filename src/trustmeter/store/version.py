"""The data version: one string that changes whenever any figure of the store may have.

It reads the whole store (imports, web survey answers, closed campaigns), not one feature's
tables, so it has its own module rather than living with the campaigns.
"""

from __future__ import annotations

from datetime import UTC, datetime

from trustmeter.store.database import Store


def data_version(store: Store, now: datetime | None = None) -> str:
    """Changes whenever the figures may have: an import, a web answer, or a survey closing.

    Cached scorecards are keyed by it. Imports (CLI or upload) each add an import_log row;
    web survey answers do not, so the count of used invitations is part of the version. A
    survey's figures appear when it closes (`surveys.pick_campaign`): a web campaign at its
    end, an imported one when the day of its last answer is over, so the count of closed
    web campaigns and today's date are part of it too.
    """
    at = now or datetime.now(UTC).replace(tzinfo=None)
    imports = store.scalar("SELECT coalesce(max(id), 0) FROM import_log")
    answered = store.scalar("SELECT count(used_at) FROM survey_invitation")
    closed = store.scalar(
        "SELECT count(*) FROM survey_campaign WHERE coalesce(closed_early_at, closes_at) <= ?",
        (at,),
    )
    return f"{int(imports)}.{int(answered)}.{int(closed)}.{at.date().isoformat()}"
