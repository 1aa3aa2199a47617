"""Shared fixtures: a small counting model registered in-process for kernel tests."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

REPO = Path(__file__).resolve().parents[1]


def _shared() -> Path:
    """The project's shared folder (SWMM networks and reference results): $TWIN_SHARED, else
    the nearest `shared/` with a `data/` beside the checkout or above it."""
    if os.environ.get("TWIN_SHARED"):
        return Path(os.environ["TWIN_SHARED"])
    for up in REPO.parents:
        if (up / "shared" / "data").is_dir():
            return up / "shared"
    return REPO.parent / "shared"


SHARED = _shared()


@pytest.fixture(scope="session")
def counting_model():
    """A tiny Poisson counting model, so kernel tests do not depend on a subsystem's rules."""
    from core.counting import CountingModel

    from twin.core import registry

    return registry.register(CountingModel)
