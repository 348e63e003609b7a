"""Google Forms and Microsoft Forms: survey responses from the responses CSV (Google Sheets'
"Download › CSV") or Excel file (Microsoft Forms' "Open in Excel").

A form's columns are its questions, worded however the form's author wrote them. `prepare`
finds which question is which survey item: a column titled with an item id
("credibility_1") is that item; otherwise the question is matched to the catalogue's
wording, to the seven Westrum statements as DORA words them, and to a few unmistakable
phrases (recommend…colleague, how do you see IT…). A grid question ("How important is each IT
service to your unit? [ERP]") gives one item per row, `importance:ERP`. Questions that match
nothing are listed by --explain, and [items] in a mapping file says the rest.

The campaign is the file's name (one file per campaign, as a form's export is), and the
survey is the team survey when Westrum, eNPS or burnout items are among the questions, else
the stakeholder survey. Both can be overridden: --value campaign:"FILE NAME"=2025-spring.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from pathlib import Path

from trustmeter import surveys
from trustmeter.connectors._readers import DerivedReader, ReadOptions, standard
from trustmeter.ingest import Mapping
from trustmeter.ingest.readers import Reader, normalise

CAMPAIGN = "Campaign (from file name)"

# DORA's wording of the Westrum statements, which forms usually copy.
WESTRUM_DORA = (
    "information is actively sought",
    "messengers are not punished when they deliver news of failures or other bad news",
    "responsibilities are shared",
    "cross-functional collaboration is encouraged and rewarded",
    "failure causes inquiry",
    "new ideas are welcomed",
    "failures are treated primarily as opportunities to improve the system",
)
_PHRASES: tuple[tuple[str, str], ...] = (
    (r"recommend.*(place to work|working (here|in|for)|employer|this team|in it\b)", "enps"),
    (r"recommend.*(working with it|it to a colleague|colleague)", "nps"),
    (r"burn(ed|t)? ?out|worn out", "burnout"),
    (r"how do you see it|which describes it|it today", "ladder"),
    (r"involve it .*(start|beginning)|involve it early", "involve_early"),
    (r"overall.*satisf|satisf.*overall|all things considered", "overall_satisfaction"),
    (r"anything else", "comment"),
)
_GROUP = re.compile(r"business unit|department|which team|your team|unit do you work|division")
_GRID = re.compile(r"^(?P<q>.*?)\s*\[(?P<row>[^\]]+)\]\s*$")


def _words(text: str) -> str:
    text = re.sub(r"\([^)]*\)", " ", text.casefold())
    return " ".join(re.findall(r"[a-z0-9]+", text))


def match_item(column: str, kind: str | None = None) -> str | None:
    """The item a question asks by its id, grid or an unmistakable phrase, or None."""
    try:
        return surveys.item(normalise(column)).id if ":" not in column else surveys.item(column).id
    except KeyError:
        pass
    grid = _GRID.match(column)
    if grid:
        q, row = grid.group("q").casefold(), grid.group("row").strip()
        if "important" in q or "importance" in q:
            return surveys.IMPORTANCE_PREFIX + row
        if "satisf" in q:
            return surveys.SATISFACTION_PREFIX + row
        w = _words(row)
        for i, statement in enumerate(WESTRUM_DORA):
            if difflib.SequenceMatcher(None, w, statement).ratio() >= 0.85:
                return surveys.WESTRUM_ITEMS[i]
    words = _words(column)
    for pattern, item in _PHRASES:
        if re.search(pattern, words):
            return item
    for i, statement in enumerate(WESTRUM_DORA):
        if difflib.SequenceMatcher(None, words, statement).ratio() >= 0.85:
            return surveys.WESTRUM_ITEMS[i]
    return None


_STOP = frozenset(
    [
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "by",
        "do",
        "does",
        "for",
        "from",
        "i",
        "in",
        "is",
        "it",
        "its",
        "of",
        "on",
        "or",
        "our",
        "the",
        "their",
        "this",
        "to",
        "us",
        "we",
        "what",
        "when",
        "which",
        "who",
        "will",
        "with",
        "would",
        "you",
        "your",
    ]
)


def _stems(text: str) -> set[str]:
    return {w[:5] for w in _words(text).split() if w not in _STOP}


def similarity(question: str, wording: str) -> float:
    """Share of the shorter text's content words that the other has (first five letters)."""
    a, b = _stems(question), _stems(wording)
    if not a or not b:
        return 0.0
    return len(a & b) / min(len(a), len(b))


def match_by_wording(columns: Sequence[str], kind: str, taken: set[str]) -> dict[str, str]:
    """Items for questions worded like the catalogue's: best pairs first, each item once."""
    pairs = [
        (similarity(c, it.text), c, it.id)
        for c in columns
        for it in surveys.CATALOGUE
        if it.kind == kind and not it.free_text and it.id not in taken
    ]
    out: dict[str, str] = {}
    used: set[str] = set()
    for score, column, item in sorted(pairs, key=lambda p: -p[0]):
        if score < 0.6 or column in used or item in out:
            continue
        out[item] = column
        used.add(column)
    return out


def survey_kind(columns: Sequence[str]) -> str:
    team = {*surveys.WESTRUM_ITEMS, surveys.ENPS, surveys.BURNOUT}
    return "team" if any(match_item(c) in team for c in columns) else "stakeholder"


def prepare(mapping: Mapping, columns: Sequence[str], path: Path) -> Mapping:
    """Items, group question and survey kind from the form's questions."""
    used = set(mapping.columns.values())
    kind = survey_kind(columns)
    items: dict[str, str] = {}
    group: str | None = None
    for c in columns:
        if c in used or c == CAMPAIGN:
            continue
        if group is None and _GROUP.search(c.casefold()) and "mapping" not in c:
            group = c
            continue
        item = match_item(c, kind)
        if item is not None and item not in items:
            items[item] = c
    rest = [c for c in columns if c not in used and c != CAMPAIGN and c != group]
    rest = [c for c in rest if c not in items.values()]
    items.update(match_by_wording(rest, kind, set(items)))
    out = mapping.merged(defaults={"kind": kind})
    if not mapping.items and items:
        out = out.merged(items=items)
    if group is not None and "group" not in mapping.columns:
        out = out.merged(columns={"group": group})
    return out


def reader(path: Path, opts: ReadOptions) -> Reader:
    stem = path.name.split(".")[0]
    return DerivedReader(standard(path, opts), (CAMPAIGN,), lambda _row: {CAMPAIGN: stem})
