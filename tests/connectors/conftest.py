"""Fixtures for the connector tests (helpers live in connector_helpers.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
from connector_helpers import FIXTURES


@pytest.fixture
def fixtures() -> Path:
    return FIXTURES
