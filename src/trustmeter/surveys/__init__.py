"""The two surveys of FRAMEWORK.md: the item catalogue, answer validation and the anonymity
rule. Pure data and arithmetic, below the metrics: the survey metrics themselves (reading a
campaign's answers, one figure per group) are in metrics/surveyed.py.

- catalogue.py: every item, its scale or choices, `validate`, `scale_0_100`;
- campaigns.py: which campaign a period may read (closed, and big enough);
- anonymity.py: which groups may be shown, and how small groups pool.
"""

from trustmeter.surveys.anonymity import (
    MIN_GROUP_FLOOR,
    NO_GROUP,
    OTHER_GROUPS,
    Anonymised,
    GroupFigure,
    anonymise,
    least_group,
    nps,
    pool,
)
from trustmeter.surveys.campaigns import (
    CampaignKey,
    FoundCampaign,
    found_campaign,
    pick_campaign,
    utc_now,
)
from trustmeter.surveys.catalogue import *  # noqa: F403  (the catalogue's names, as before)
from trustmeter.surveys.catalogue import CATALOGUE, Item, SurveyKind, item, items, validate

__all__ = [
    "CATALOGUE",
    "MIN_GROUP_FLOOR",
    "NO_GROUP",
    "OTHER_GROUPS",
    "Anonymised",
    "CampaignKey",
    "FoundCampaign",
    "GroupFigure",
    "Item",
    "SurveyKind",
    "anonymise",
    "found_campaign",
    "item",
    "items",
    "least_group",
    "nps",
    "pick_campaign",
    "pool",
    "utc_now",
    "validate",
]
