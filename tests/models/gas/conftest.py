"""Gas test fixtures."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def demo_city():
    from twin.city.io import open_city
    from twin.core.scenario import CitySpec

    return open_city(CitySpec())
