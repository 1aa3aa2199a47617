"""Fixtures of the households unit tests: one small generated city per session."""

from __future__ import annotations

import pytest

from twin.city import generate_city


@pytest.fixture(scope="session")
def hh_city():
    """4,000 households, 10 collection points, 9 districts."""
    return generate_city(4_000, seed=7)
