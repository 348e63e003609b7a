"""Fixtures: the hand-built scorecards of report_cards.py."""

from __future__ import annotations

from typing import Any

import pytest
from report_cards import make_card, make_stage4_card, make_trend


@pytest.fixture
def card() -> dict[str, Any]:
    return make_card()


@pytest.fixture
def trend() -> list[dict[str, Any]]:
    return make_trend()


@pytest.fixture
def stage4_card() -> dict[str, Any]:
    return make_stage4_card()
